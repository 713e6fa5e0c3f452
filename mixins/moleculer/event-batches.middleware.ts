import type { Context, Middleware } from "moleculer";
import { type EventEnvelope, isEventBatch } from "../../contracts/events/envelope";

type Handler = (ctx: Context) => Promise<unknown>;

/**
 * The batch's context, narrowed to one message: the message as params, its trace in the headers, and
 * as request ID the request that started its chain (the batch's own is the relay's or the producer's
 * emit, shared by messages from many requests), so that the logs' `requestId` leads across the nodes.
 */
function messageContext(ctx: Context, envelope: EventEnvelope<unknown>): Context {
  const one = ctx.copy();
  one.params = envelope;
  one.headers = envelope.traceparent ? { traceparent: envelope.traceparent } : {};
  if (typeof envelope.correlationId === "string") one.requestID = envelope.correlationId;
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
