import { type Context, context, createContextKey, propagation, ROOT_CONTEXT, trace } from "@opentelemetry/api";

const REQUEST_ID = createContextKey("moleculer.request_id");

/** `traced` carrying Moleculer's request ID (moleculer-web's X-Request-ID), for the logs. */
export function withRequestId(traced: Context, requestId: string | null | undefined): Context {
  return requestId ? traced.setValue(REQUEST_ID, requestId) : traced;
}

/**
 * Fields for every log line written inside a traced handler (Pino's `mixin`): the request ID. The
 * trace's own fields (`trace_id`, `span_id`, `trace_flags`) come from OpenTelemetry's Pino instrumentation.
 */
export function logContext(): Record<string, string> {
  const requestId = context.active().getValue(REQUEST_ID) as string | undefined;
  return requestId ? { requestId } : {};
}

/**
 * The W3C `traceparent` of the active span: stored with work that is carried out later, such as an
 * outbox row, so that the work continues the trace that caused it. Undefined outside a trace.
 */
export function currentTraceparent(): string | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent;
}

/** Runs `work` as part of the trace `traceparent` names; without one, as it would run anyway. */
export function withTraceparent<T>(traceparent: string | undefined, work: () => T): T {
  if (!traceparent) return work();
  return context.with(propagation.extract(ROOT_CONTEXT, { traceparent }), work);
}

/**
 * Runs `work` outside the active trace. For background work a request merely sets off (the relay's
 * pass after a commit): it would otherwise be counted as part of that request's trace.
 */
export function outsideTrace<T>(work: () => T): T {
  return context.with(ROOT_CONTEXT, work);
}

/**
 * Work done for several traced calls at once (one group-committed transaction) is traced in the
 * first call's trace; the span of every other call gets a link to the first's, so its trace shows
 * where its database work went.
 */
export function linkToBatch(traces: Context[]): void {
  const first = traces.length > 1 ? trace.getSpanContext(traces[0]) : undefined;
  if (!first) return;
  for (const other of traces.slice(1)) {
    trace.getSpan(other)?.addLink({ context: first, attributes: { "batch.size": traces.length } });
  }
}
