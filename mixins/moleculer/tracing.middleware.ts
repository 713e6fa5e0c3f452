import { setTimeout as sleep } from "node:timers/promises";
import {
  type Attributes,
  context,
  logs,
  type ProxyTracerProvider,
  propagation,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Context as TraceContext,
  trace,
} from "@opentelemetry/api";
import { ATTR_ERROR_TYPE, ATTR_RPC_METHOD, ATTR_RPC_STATUS_CODE, ATTR_RPC_SYSTEM_NAME } from "@opentelemetry/semantic-conventions";
import type { ActionSchema, CallingOptions, Context, EventSchema, Middleware } from "moleculer";
import { withRequestId } from "./trace-context";

const tracer = trace.getTracer("orders-invoices.moleculer");

// The messaging conventions are still experimental: spelled out here rather than taken from
// semantic-conventions' unstable entry point, whose names may change in any minor release.
const MESSAGING_SYSTEM = "messaging.system";
const MESSAGING_DESTINATION = "messaging.destination.name";
const MESSAGING_OPERATION_TYPE = "messaging.operation.type";
const MESSAGING_CONSUMER_GROUP = "messaging.consumer.group.name";
/** Moleculer's request ID: the gateway takes it from `X-Request-ID`, and the logs show it. */
const REQUEST_ID = "moleculer.request_id";

/** Flushing spans and logs at shutdown must not hold the node up when the collector is unreachable. */
const FLUSH_LIMIT_MS = 2_000;

type Headers = Record<string, unknown>;

/**
 * The trace a handler belongs to: the caller's, carried in `ctx.headers`, else the local one.
 * Nothing outside a trace is traced (like pg's `requireParentSpan`): a trace starts at the HTTP edge,
 * so probes, timers and REPL calls add no root spans. Without the SDK this is always undefined.
 */
function parentOf(headers: Headers = {}): TraceContext | undefined {
  const parent = propagation.extract(context.active(), headers);
  const span = trace.getSpanContext(parent);
  return span && trace.isSpanContextValid(span) ? parent : undefined;
}

/** The calling options with the active trace's `traceparent` (and `tracestate`, `baggage`) added to its headers. */
function withTraceHeaders<T extends { headers?: Headers }>(opts: T | undefined): T {
  const headers: Headers = { ...opts?.headers };
  propagation.inject(context.active(), headers);
  return { ...opts, headers } as T;
}

/**
 * What the handler threw (Moleculer registers user middlewares innermost: the span sees the
 * handler's own error, before the service's error hooks map it). A Moleculer error's `type` goes
 * to `rpc.status_code`. The span is an error when this service is at fault: a 5xx or an unexpected
 * error. A 4xx (unknown id…) is the caller's, and leaves the status alone, as HTTP and RPC server
 * spans do. A message that cannot be processed is always its consumer's error: `callerMayBeAtFault`.
 */
function recordFailure(span: Span, err: unknown, callerMayBeAtFault: boolean): void {
  const { code, type, name, message } = (err ?? {}) as { code?: unknown; type?: string; name?: string; message?: string };
  if (type) span.setAttribute(ATTR_RPC_STATUS_CODE, type);
  if (callerMayBeAtFault && typeof code === "number" && code < 500) return;
  span.setAttribute(ATTR_ERROR_TYPE, type ?? name ?? "Error");
  span.recordException(err instanceof Error ? err : String(err));
  span.setStatus({ code: SpanStatusCode.ERROR, message });
}

/** Runs `work` in a new span, child of `parent`, and ends the span with `work`'s outcome. */
async function inSpan<T>(
  name: string,
  kind: SpanKind,
  attributes: Attributes,
  parent: TraceContext,
  work: () => Promise<T>,
  callerMayBeAtFault = false,
): Promise<T> {
  const span = tracer.startSpan(name, { kind, attributes }, parent);
  try {
    return await context.with(withRequestId(trace.setSpan(parent, span), attributes[REQUEST_ID] as string | undefined), work);
  } catch (err) {
    recordFailure(span, err, callerMayBeAtFault);
    throw err;
  } finally {
    span.end();
  }
}

type Flushable = { forceFlush?: () => Promise<void> };

/** Exports the spans and log records still in their batches; moleculer-runner calls process.exit right after `stopped`. */
async function flushTelemetry(): Promise<void> {
  // Without the SDK, both are the API's no-op providers, which have no forceFlush.
  const providers = [(trace.getTracerProvider() as ProxyTracerProvider).getDelegate(), logs.getLoggerProvider()] as Flushable[];
  const flushes = providers.flatMap((provider) => (provider.forceFlush ? [provider.forceFlush()] : []));
  if (flushes.length === 0) return;
  await Promise.race([Promise.all(flushes), sleep(FLUSH_LIMIT_MS, undefined, { ref: false })]);
}

const sendAttributes = (eventName: string): Attributes => ({
  [MESSAGING_SYSTEM]: "moleculer",
  [MESSAGING_DESTINATION]: eventName,
  [MESSAGING_OPERATION_TYPE]: "send",
});

/** The W3C `traceparent` naming `span`. */
function traceparentOf(span: Span): string | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(trace.setSpan(context.active(), span), carrier);
  return carrier.traceparent;
}

/**
 * Sends messages that each belong to a trace of their own in one event (an outbox batch): every
 * message with a `traceparent` gets a PRODUCER span in its trace, and `send` receives the
 * traceparents of those spans, in order, for the consumer to continue each message's trace from.
 */
export async function sendInTraces<T>(
  eventName: string,
  traceparents: Array<string | undefined>,
  send: (sentFrom: Array<string | undefined>) => Promise<T>,
): Promise<T> {
  const spans = traceparents.map((traceparent) => {
    const parent = parentOf(traceparent ? { traceparent } : {});
    return parent && tracer.startSpan(`send ${eventName}`, { kind: SpanKind.PRODUCER, attributes: sendAttributes(eventName) }, parent);
  });
  try {
    return await send(spans.map((span, i) => (span ? traceparentOf(span) : traceparents[i])));
  } catch (err) {
    for (const span of spans) if (span) recordFailure(span, err, false);
    throw err;
  } finally {
    for (const span of spans) span?.end();
  }
}

type Handler = (ctx: Context) => Promise<unknown>;
type Call = (actionName: string, params?: unknown, opts?: CallingOptions) => Promise<unknown>;
type Emit = (eventName: string, payload?: unknown, opts?: { groups?: string[]; headers?: Headers } | string | string[]) => Promise<unknown>;

const middleware = {
  name: "Tracing",

  /** Every call, from any node, carries the caller's trace to the callee in `ctx.headers`. */
  call(next: Call): Call {
    return (actionName, params, opts) => next(actionName, params, withTraceHeaders(opts));
  },

  /** An emit made in a trace gets a PRODUCER span (the relay's batches get one per message: `sendInTraces`). */
  emit(next: Emit): Emit {
    return (eventName, payload, rawOpts) => {
      const parent = parentOf();
      if (!parent) return next(eventName, payload, rawOpts);
      // broker.emit also accepts the groups alone
      const opts = typeof rawOpts === "string" || Array.isArray(rawOpts) ? { groups: [rawOpts].flat() } : rawOpts;
      return inSpan(`send ${eventName}`, SpanKind.PRODUCER, sendAttributes(eventName), parent, () =>
        next(eventName, payload, withTraceHeaders(opts)),
      );
    };
  },

  /** A SERVER span per action call; `tracing: false` in an action's schema opts out. */
  localAction(next: Handler, action: ActionSchema): Handler {
    if (action.tracing === false) return next;
    const attributes = { [ATTR_RPC_SYSTEM_NAME]: "moleculer", [ATTR_RPC_METHOD]: action.name };
    return (ctx: Context) => {
      const parent = parentOf(ctx.headers);
      if (!parent) return next(ctx);
      const spanAttributes = { ...attributes, [REQUEST_ID]: ctx.requestID ?? undefined };
      return inSpan(action.name!, SpanKind.SERVER, spanAttributes, parent, () => next(ctx), true);
    };
  },

  /** A CONSUMER span per event handler run. */
  localEvent(next: Handler, event: EventSchema): Handler {
    const group = event.group ?? event.service?.name;
    return (ctx: Context) => {
      const parent = parentOf(ctx.headers);
      if (!parent) return next(ctx);
      const attributes = {
        [MESSAGING_SYSTEM]: "moleculer",
        [MESSAGING_DESTINATION]: ctx.eventName ?? event.name,
        [MESSAGING_OPERATION_TYPE]: "process",
        [MESSAGING_CONSUMER_GROUP]: group,
        [REQUEST_ID]: ctx.requestID ?? undefined,
      };
      return inSpan(`process ${ctx.eventName ?? event.name}`, SpanKind.CONSUMER, attributes, parent, () => next(ctx));
    };
  },

  stopped: flushTelemetry,
};

/**
 * Moleculer's own tracer stays off; this carries W3C trace context across the transporter in
 * `ctx.headers` and opens the spans. Listed in moleculer.config's `middlewares`. Hooks typed here
 * by what Moleculer passes: its typings declare `call`/`emit` hooks as returning a promise.
 */
export const TracingMiddleware = middleware as unknown as Middleware;
