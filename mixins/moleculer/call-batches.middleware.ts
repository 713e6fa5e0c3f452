import { type ActionSchema, type Context, Errors, type Middleware, type ServiceBroker, type ServiceSchema } from "moleculer";
import { DEADLINE } from "./deadlines.middleware";
import { outsideTrace, withTraceparent } from "./trace-context";

/** The action every service with batched actions gets, through which a batch of calls arrives. */
const CALL_BATCH = "callBatch";

/** One call of a batch: what its own request would have carried. */
interface BatchedCall {
  params: unknown;
  meta: Record<string, unknown>;
  headers: Record<string, unknown>;
  requestID?: string;
  /** what is left of the call's own timeout (ms), so the callee never works past the caller's deadline */
  timeout?: number;
}

interface CallBatch {
  action: string;
  calls: BatchedCall[];
}

/** Per call: its result or its error (as Moleculer sends errors), and its meta as the action left it. */
type CallOutcome = { meta: Record<string, unknown> } & ({ value: unknown } | { error: Errors.PlainMoleculerError });

type Handler = (ctx: Context) => Promise<unknown>;

/** A call waiting for the end of this turn of the event loop, with how to settle it. */
interface Waiting {
  ctx: Context;
  resolve(value: unknown): void;
  reject(err: unknown): void;
}

const toBatched = ({ ctx }: Waiting): BatchedCall => ({
  params: ctx.params,
  meta: ctx.meta,
  headers: ctx.headers,
  requestID: ctx.requestID ?? undefined,
  timeout: ctx.options.timeout ?? undefined,
});

function serviceOf(actionName: string): string {
  return actionName.slice(0, actionName.lastIndexOf("."));
}

/** Sends calls gathered for one action and node as one request, and settles each. */
async function send(broker: ServiceBroker, action: string, nodeID: string, calls: Waiting[]): Promise<void> {
  const batched = calls.map(toBatched);
  const batch: CallBatch = { action, calls: batched };
  // Each call has its own timeout and retries around it; the batch waits as long as the longest of them.
  const timeout = Math.max(...batched.map((call) => call.timeout ?? 0)) || undefined;
  try {
    // Each call carries its own trace in its headers; the batch belongs to none of them.
    const outcomes = (await outsideTrace(() =>
      broker.call(`${serviceOf(action)}.${CALL_BATCH}`, batch, { nodeID, timeout, retries: 0 }),
    )) as CallOutcome[];
    calls.forEach(({ ctx, resolve, reject }, i) => {
      const outcome = outcomes[i];
      Object.assign(ctx.meta, outcome.meta);
      if ("error" in outcome) reject(broker.errorRegenerator!.restore(outcome.error, { sender: nodeID }));
      else resolve(outcome.value);
    });
  } catch (err) {
    // A call that cannot be serialized fails the whole packet before it leaves this node: it fails
    // alone, and the others, none of which was sent, go again without it. The gateway refuses what
    // could not be (JSON nested too deep); this is for the other callers in the cluster (a REPL, a
    // service). Only looked for on failure, so that no call is serialized twice on the way.
    const unsendable = calls.filter((_, i) => !serializable(broker, batched[i]));
    if (unsendable.length === 0) {
      for (const { reject } of calls) reject(err);
      return;
    }
    for (const { reject } of unsendable) {
      reject(new Errors.MoleculerError("The call's parameters cannot be serialized", 500, "UNSERIALIZABLE_CALL", { action }));
    }
    const sendable = calls.filter((call) => !unsendable.includes(call));
    if (sendable.length > 0) await send(broker, action, nodeID, sendable);
  }
}

function serializable(broker: ServiceBroker, call: BatchedCall): boolean {
  try {
    broker.serializer!.serialize(call as unknown as Record<string, unknown>, "REQ");
    return true;
  } catch {
    return false;
  }
}

/** The `callBatch` action: runs each call as a local call of its own, in its own trace, and reports each outcome. */
function callBatchAction(batched: string[]): ActionSchema {
  return {
    visibility: "public",
    tracing: false,
    params: { action: { type: "enum", values: batched }, calls: { type: "array", items: "object" } },
    async handler(ctx: Context<CallBatch>): Promise<CallOutcome[]> {
      const { broker } = ctx;
      // One reply carries every call's outcome, so it leaves when the last call is settled: each call
      // must be settled by the deadline of the most pressed caller, or that caller would give up on a
      // call that was done (or its answer would wait on a call that came later).
      const deadlines = ctx.params.calls.map((call) => Number(call.headers?.[DEADLINE])).filter(Number.isFinite);
      const earliest = deadlines.length > 0 ? { [DEADLINE]: Math.min(...deadlines) } : {};
      return Promise.all(
        ctx.params.calls.map(async (call) => {
          const calling = withTraceparent(call.headers?.traceparent as string | undefined, () =>
            broker.call(ctx.params.action, call.params, {
              meta: call.meta,
              headers: { ...call.headers, ...earliest },
              requestID: call.requestID,
              timeout: call.timeout,
              parentCtx: ctx,
              nodeID: broker.nodeID,
            }),
          ) as Promise<unknown> & { ctx?: Context };
          try {
            const value = await calling;
            return { value, meta: calling.ctx?.meta ?? {} };
          } catch (err) {
            return { error: broker.errorRegenerator!.extractPlainError(err as Error), meta: calling.ctx?.meta ?? {} };
          }
        }),
      );
    },
  };
}

/**
 * Calls of the named actions that one node makes to another in the same turn of the event loop travel
 * as one request and one response instead of one each (the gateway's POST /orders under load): a
 * transporter message costs the nodes and RabbitMQ more than the call's own work. Each call keeps its
 * own params, meta, headers (its trace), request ID, timeout and outcome, and runs on the callee as a
 * local call of its own, through every middleware, as if it had come alone. The callee's service gets
 * a `callBatch` action that does this. Every node must list the same actions. One request carries at
 * most `maxCalls` calls (transport-limits.ts sizes it so that even the largest calls fit one packet; a
 * response is about as big as its request): the rest of the turn's calls go in further requests.
 */
export function callBatches(actions: readonly string[], maxCalls: number): Middleware {
  const waiting = new Map<string, Waiting[]>();
  return {
    name: "CallBatches",

    serviceCreating(_service: unknown, schema: ServiceSchema) {
      const prefix = `${schema.version ? `v${schema.version}.` : ""}${schema.name}.`;
      const own = actions.filter((action) => action.startsWith(prefix) && !action.slice(prefix.length).includes("."));
      if (own.length > 0) schema.actions = { ...schema.actions, [CALL_BATCH]: callBatchAction(own) };
    },

    remoteAction(this: ServiceBroker, next: Handler, action: ActionSchema): Handler {
      if (!actions.includes(action.name!)) return next;
      return (ctx: Context) =>
        new Promise((resolve, reject) => {
          const key = `${action.name} ${ctx.nodeID}`;
          const calls = waiting.get(key);
          if (calls) return void calls.push({ ctx, resolve, reject });
          waiting.set(key, [{ ctx, resolve, reject }]);
          setImmediate(() => {
            const gathered = waiting.get(key)!;
            waiting.delete(key);
            for (let i = 0; i < gathered.length; i += maxCalls) void send(this, action.name!, ctx.nodeID!, gathered.slice(i, i + maxCalls));
          });
        });
    },
  } as unknown as Middleware;
}
