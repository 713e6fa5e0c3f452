import { Errors } from "moleculer";

export interface AdmissionLimits {
  /** calls of one action in flight from this gateway at once */
  maxInFlight: number;
  /** how long the oldest of them may have been waiting before new ones are turned away */
  maxWaitMs: number;
}

/**
 * Admission control at the gateway, per action: a request is refused at once (503 OVERLOADED, with
 * Retry-After) when `maxInFlight` calls of its action are already in flight, or when the oldest of
 * them has waited `maxWaitMs`: the service behind it is then behind its work, and a request let in
 * would only wait in a queue (a transporter's, a node's) until its caller gave up. Refused here,
 * nothing is started and the client may retry; the services' own bulkheads stay as the last line.
 */
export class Admission {
  /** action → its calls in flight and when each was let in; a Map keeps them oldest first */
  private readonly inFlight = new Map<string, Map<object, number>>();

  constructor(private readonly limits: AdmissionLimits) {}

  /** Lets `call` of `action` in, or throws OVERLOADED; a call let in must be `release`d once answered. */
  admit(action: string, call: object, now = Date.now()): void {
    let calls = this.inFlight.get(action);
    if (!calls) this.inFlight.set(action, (calls = new Map()));
    const oldest = calls.values().next();
    const waited = oldest.done ? 0 : now - oldest.value;
    if (calls.size >= this.limits.maxInFlight || waited >= this.limits.maxWaitMs) {
      throw new Errors.MoleculerError("The service is at capacity; nothing was done, retry later", 503, "OVERLOADED", {
        action,
        inFlight: calls.size,
        oldestWaitMs: waited,
      });
    }
    calls.set(call, now);
  }

  release(action: string, call: object): void {
    this.inFlight.get(action)?.delete(call);
  }
}
