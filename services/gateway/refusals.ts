import { Errors } from "moleculer";
import { ERRORS, type ErrorType } from "./error-catalogue";
import type { FieldError } from "./http-errors";

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

/** What the gateway itself refuses of what a client sent, answered with the status the catalogue gives its type; nothing is done for it. */
export function refusal(type: ErrorType, message: string, data?: unknown): Errors.MoleculerClientError {
  return new Errors.MoleculerClientError(message, ERRORS[type].status, type, data);
}

export function invalidFields(failures: FieldError[]): Errors.ValidationError {
  return new Errors.ValidationError("Parameters validation error!", "VALIDATION_ERROR", failures);
}
