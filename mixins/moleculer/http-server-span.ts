import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_URL_PATH,
  ATTR_URL_SCHEME,
} from "@opentelemetry/semantic-conventions";

const tracer = trace.getTracer("orders-invoices.http");

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * A SERVER span for every request `server` handles, named after its method, continuing the caller's W3C
 * trace (Kong's) and active while the gateway works on it, so every call it makes is its child; an error
 * when the answer is a 5xx. Requests to `untraced` paths (probes: a trace each would bury the real ones)
 * get none. OpenTelemetry's HTTP instrumentation did this at a cost per request measured at a third of
 * the SDK's (README: Performance). Without the SDK the tracer and the propagator are the API's no-ops.
 */
export function traceRequests(server: Server, untraced: ReadonlySet<string>): void {
  const handlers = server.listeners("request") as Listener[];
  server.removeAllListeners("request");
  const handle: Listener = (req, res) => {
    for (const handler of handlers) handler(req, res);
  };
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    const path = req.url?.split("?", 1)[0] ?? "";
    if (untraced.has(path)) return handle(req, res);
    const parent = propagation.extract(ROOT_CONTEXT, req.headers);
    const attributes = { [ATTR_HTTP_REQUEST_METHOD]: req.method, [ATTR_URL_PATH]: path, [ATTR_URL_SCHEME]: "http" };
    const span = tracer.startSpan(req.method ?? "HTTP", { kind: SpanKind.SERVER, attributes }, parent);
    // "close" comes when the answer is sent, or when the client left before it was.
    res.once("close", () => {
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    context.with(trace.setSpan(parent, span), () => handle(req, res));
  });
}
