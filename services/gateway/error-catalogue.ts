import type { Route } from "./routes";

/**
 * Every error a client can get, by `type`: the OpenAPI document's error responses and the README's
 * Errors table (which a test holds to this list) come from it.
 */
export const ERRORS = {
  INVALID_JSON: { status: 400, when: "the body is not valid JSON, or not a JSON object" },
  BODY_NOT_ALLOWED: { status: 400, when: "a GET or HEAD came with a body" },
  BAD_REQUEST: { status: 400, when: "the request is not well-formed HTTP, or its body could not be read or inflated" },
  INVALID_CONTENT_ENCODING: { status: 400, when: "the body does not decode as its `Content-Encoding` says (`data.encoding`)" },
  REQUEST_ABORTED: { status: 400, when: "the client closed the connection before its body arrived (only the log sees it)" },
  NOT_FOUND: { status: 404, when: "unknown id, or unknown path" },
  METHOD_NOT_ALLOWED: { status: 405, when: "the path exists, the method does not (`Allow` lists the methods)" },
  REQUEST_TIMEOUT: { status: 408, when: "the request's headers or body did not arrive within the server's timeouts" },
  ILLEGAL_TRANSITION: { status: 409, when: "a status move that is not allowed (`data.status` is the current one)" },
  IDEMPOTENCY_KEY_REUSED: { status: 409, when: "an `Idempotency-Key` reused with another request" },
  PAYLOAD_TOO_LARGE: { status: 413, when: "the body, inflated, is larger than `BODY_LIMIT`" },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, when: "a body whose `Content-Type` is not `application/json`" },
  UNSUPPORTED_CHARSET: { status: 415, when: "a `charset` other than `utf-8`" },
  UNSUPPORTED_CONTENT_ENCODING: { status: 415, when: "a `Content-Encoding` other than `identity`, `gzip`, `deflate` or `br`" },
  VALIDATION_ERROR: { status: 422, when: "a field or parameter breaks a rule; `data` lists `{ field, message, type }`" },
  RATE_LIMITED: {
    status: 429,
    when: "Kong's rate limit; the body is Kong's own `{ message }`, without a `type`, with `Retry-After`; the gateway itself never answers 429",
  },
  HEADERS_TOO_LARGE: { status: 431, when: "the request's headers are larger than the server accepts" },
  INTERNAL_ERROR: { status: 500, when: "a fault of ours; nothing about it is told" },
  SERVICE_UNAVAILABLE: { status: 503, when: "the service behind the route has no node right now" },
  DATABASE_UNAVAILABLE: {
    status: 503,
    when: "the service cannot reach its database, or the database cannot do the work now (disk full, read-only, a statement cancelled); nothing was done",
  },
  OVERLOADED: { status: 503, when: "the system is at capacity; nothing was done" },
  DEADLINE_EXCEEDED: { status: 503, when: "the request waited too long to be taken up; nothing was done" },
  DATABASE_BUSY: { status: 503, when: "the database kept refusing the work (deadlocks, serialization); nothing was done" },
  OUTCOME_UNKNOWN: { status: 503, when: "no answer came; it may or may not have been done (retry with the same `Idempotency-Key`)" },
  NOT_READY: { status: 503, when: "`/ready`: a service or its database is down" },
} as const satisfies Record<string, { status: number; when: string }>;

export type ErrorType = keyof typeof ERRORS;

const ANY_REQUEST: ErrorType[] = ["BAD_REQUEST", "REQUEST_TIMEOUT", "RATE_LIMITED", "HEADERS_TOO_LARGE", "INTERNAL_ERROR"];
const WITH_BODY: ErrorType[] = [
  "INVALID_JSON",
  "INVALID_CONTENT_ENCODING",
  "REQUEST_ABORTED",
  "PAYLOAD_TOO_LARGE",
  "UNSUPPORTED_MEDIA_TYPE",
  "UNSUPPORTED_CHARSET",
  "UNSUPPORTED_CONTENT_ENCODING",
];
const CALLS_A_SERVICE: ErrorType[] = [
  "SERVICE_UNAVAILABLE",
  "DATABASE_UNAVAILABLE",
  "OVERLOADED",
  "DEADLINE_EXCEEDED",
  "DATABASE_BUSY",
  "OUTCOME_UNKNOWN",
];

/** The errors one route can answer. */
export function errorsOf(route: Route): ErrorType[] {
  const own = route.action.startsWith("api.");
  return [
    ...ANY_REQUEST,
    ...(route.method === "POST" ? WITH_BODY : ["BODY_NOT_ALLOWED" as const]),
    ...(route.path.includes(":") ? ["NOT_FOUND" as const] : []),
    ...(route.params ? ["VALIDATION_ERROR" as const] : []),
    ...(route.transition ? ["ILLEGAL_TRANSITION" as const] : []),
    ...(route.idempotent ? ["IDEMPOTENCY_KEY_REUSED" as const] : []),
    ...(own ? [] : CALLS_A_SERVICE),
    ...(route.action === "api.ready" ? ["NOT_READY" as const] : []),
  ];
}
