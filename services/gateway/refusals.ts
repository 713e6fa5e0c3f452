import { Errors } from "moleculer";
import type { FieldError } from "./http-errors";

/**
 * What the gateway itself refuses of what a client sent, by type, and the status each is answered
 * with: the README's error table and the OpenAPI document list the same. Nothing is done for a
 * refused request.
 */
export const REFUSALS = {
  /** the request is not well-formed HTTP, or its body's length is not what it says */
  BAD_REQUEST: 400,
  /** a GET or HEAD with a body */
  BODY_NOT_ALLOWED: 400,
  /** the body is not UTF-8 JSON, or not an object */
  INVALID_JSON: 400,
  /** the body does not decode as its Content-Encoding says */
  INVALID_CONTENT_ENCODING: 400,
  /** the client went away while sending the body */
  REQUEST_ABORTED: 400,
  /** no route has this path */
  NOT_FOUND: 404,
  /** the path has routes, none for this method (with `Allow`) */
  METHOD_NOT_ALLOWED: 405,
  /** the headers or the body did not arrive in time */
  REQUEST_TIMEOUT: 408,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNSUPPORTED_CHARSET: 415,
  UNSUPPORTED_CONTENT_ENCODING: 415,
  HEADERS_TOO_LARGE: 431,
} as const;

export type RefusalType = keyof typeof REFUSALS;

/**
 * The `type` of a field the gateway refuses in a 422 `VALIDATION_ERROR` (`data: [{ field, message, type }]`),
 * besides the actions' own validation rules.
 */
export const FIELD_REFUSALS = {
  /** a query parameter on a POST route, whose fields come from the body only */
  queryNotAllowed: "queryNotAllowed",
  /** a body field or query parameter named like a parameter of the path, which comes from the path only */
  pathParameter: "pathParameter",
  /** a JSON value nested deeper than `MAX_JSON_DEPTH` */
  tooDeep: "tooDeep",
  /** an object key `__proto__`, `constructor` or `prototype` */
  forbiddenKey: "forbiddenKey",
  /** a field sent as null */
  nullValue: "nullValue",
} as const;

export function refusal(type: RefusalType, message: string, data?: unknown): Errors.MoleculerClientError {
  return new Errors.MoleculerClientError(message, REFUSALS[type], type, data);
}

export function invalidFields(failures: FieldError[]): Errors.ValidationError {
  return new Errors.ValidationError("Parameters validation error!", "VALIDATION_ERROR", failures);
}
