import { randomUUID } from "node:crypto";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_URL_PATH,
  ATTR_URL_SCHEME,
} from "@opentelemetry/semantic-conventions";
import { withRequestId } from "./trace-context";

const tracer = trace.getTracer("orders-invoices.http");

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * The request ID moleculer-web gives the request's context, and returns in `X-Request-ID`: the caller's
 * (a non-empty `X-Correlation-ID` first, as moleculer-web reads them), else a new one, set on the request
 * for moleculer-web to take, so that it is known before the gateway writes a line about the request.
 */
function requestIdOf(req: IncomingMessage): string {
  const given = req.headers["x-correlation-id"] || req.headers["x-request-id"];
  if (typeof given === "string" && given !== "") return given;
  const made = randomUUID();
  req.headers["x-request-id"] = made;
  return made;
}

/**
 * A SERVER span for every request `server` handles, named after its method, continuing the caller's W3C
 * trace (Kong's) and active while the gateway works on it, so every call it makes is its child; an error
 * when the answer is a 5xx. The request's ID goes with it, for the gateway's own lines about the
 * request (a refusal, an error). Requests to `untraced` paths (probes: a trace each would bury the real
 * ones) get no span. OpenTelemetry's HTTP instrumentation did this at a cost per request measured at a
 * third of the SDK's (README: Performance). Without the SDK the tracer and the propagator are the API's
 * no-ops.
 */
export function traceRequests(server: Server, untraced: ReadonlySet<string>): void {
  const handlers = server.listeners("request") as Listener[];
  server.removeAllListeners("request");
  const handle: Listener = (req, res) => {
    for (const handler of handlers) handler(req, res);
  };
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    const requestId = requestIdOf(req);
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
    context.with(withRequestId(trace.setSpan(parent, span), requestId), () => handle(req, res));
  });
}
