import { Errors } from "moleculer";

export interface AdmissionLimits {
  /** calls of one action in flight from this gateway at once */
  maxInFlight: number;
  /** while even the fastest call answered in the last second took this long, new ones are turned away */
  maxWaitMs: number;
}

/** How often the fastest answer is taken as the measure of the queue in front of a service. */
const WINDOW_MS = 1_000;

interface ActionState {
  /** calls in flight, and when each was let in */
  inFlight: Map<object, number>;
  windowStart: number;
  /** the fastest answer of the current window, and of the one before */
  fastest: number;
  fastestBefore: number;
}

/**
 * Admission control at the gateway, per action: a request is refused at once (503 OVERLOADED, with
 * Retry-After) when `maxInFlight` calls of its action are in flight, or when even the fastest call
 * answered in the last second took `maxWaitMs` or more: every call then waits in a queue (a
 * transporter's, a node's), and a request let in would only wait there until its client gave up.
 * The fastest answer, not the slowest or the oldest in flight, tells a standing queue from a few
 * calls stuck on a node that died (CoDel's insight). Refused here, nothing is started and the client
 * may retry; the services' own bulkheads stay as the last line.
 */
export class Admission {
  private readonly actions = new Map<string, ActionState>();

  constructor(private readonly limits: AdmissionLimits) {}

  /** Lets `call` of `action` in, or throws OVERLOADED; a call let in must be `release`d once answered. */
  admit(action: string, call: object, now = Date.now()): void {
    const state = this.stateOf(action, now);
    const queued = state.fastestBefore >= this.limits.maxWaitMs;
    if (state.inFlight.size >= this.limits.maxInFlight || queued) {
      throw new Errors.MoleculerError("The service is at capacity; nothing was done, retry later", 503, "OVERLOADED", {
        action,
        inFlight: state.inFlight.size,
        fastestAnswerMs: Number.isFinite(state.fastestBefore) ? state.fastestBefore : null,
      });
    }
    state.inFlight.set(call, now);
  }

  release(action: string, call: object, now = Date.now()): void {
    const state = this.stateOf(action, now);
    const admitted = state.inFlight.get(call);
    if (admitted === undefined) return;
    state.inFlight.delete(call);
    state.fastest = Math.min(state.fastest, now - admitted);
    // Every call is answered: whatever queue made them slow has drained, and the next calls start afresh
    // (CoDel leaves its dropping state when the queue empties) instead of being refused on stale answers.
    if (state.inFlight.size === 0) Object.assign(state, { windowStart: now, fastest: Infinity, fastestBefore: 0 });
  }

  private stateOf(action: string, now: number): ActionState {
    let state = this.actions.get(action);
    if (!state) {
      state = { inFlight: new Map(), windowStart: now, fastest: Infinity, fastestBefore: 0 };
      this.actions.set(action, state);
    }
    if (now - state.windowStart >= WINDOW_MS) {
      // A window with no answer at all says nothing of a queue: the one after it starts afresh.
      state.fastestBefore = now - state.windowStart >= 2 * WINDOW_MS || !Number.isFinite(state.fastest) ? 0 : state.fastest;
      state.fastest = Infinity;
      state.windowStart = now;
    }
    return state;
  }
}
