import type { Context, Middleware } from "moleculer";
import { type EventEnvelope, isEventBatch } from "../../contracts/events/envelope";

type Handler = (ctx: Context) => Promise<unknown>;

/** The batch's context, narrowed to one message: the message as params, its trace in the headers. */
function messageContext(ctx: Context, envelope: EventEnvelope<unknown>): Context {
  const one = ctx.copy();
  one.params = envelope;
  one.headers = envelope.traceparent ? { traceparent: envelope.traceparent } : {};
  return one;
}

/**
 * Integration events travel in batches (`EventBatch`: one Moleculer event per commit instead of one
 * per message); their handlers still see one message at a time. A batch runs the handler once per
 * message, all in the same tick, so the consumer's group commit takes them as one batch again.
 * Listed after the tracing middleware, which it then wraps: each message gets a span of its own, in
 * its own trace. Any other event passes through.
 */
export const EventBatchesMiddleware = {
  name: "EventBatches",

  localEvent(next: Handler): Handler {
    return (ctx: Context) =>
      isEventBatch(ctx.params) ? Promise.all(ctx.params.batch.map((envelope) => next(messageContext(ctx, envelope)))) : next(ctx);
  },
} as unknown as Middleware;
