import { Errors } from "moleculer";

/**
 * What the gateway itself refuses of what a client sent, by type, and the status each is answered
 * with: the README's error table and the OpenAPI document list the same. Nothing is done for a
 * refused request.
 */
export const REFUSALS = {
  /** the request is not well-formed HTTP */
  BAD_REQUEST: 400,
  /** no route has this path */
  NOT_FOUND: 404,
  /** the path has routes, none for this method (with `Allow`) */
  METHOD_NOT_ALLOWED: 405,
  /** the headers or the body did not arrive in time */
  REQUEST_TIMEOUT: 408,
  HEADERS_TOO_LARGE: 431,
} as const;

export type RefusalType = keyof typeof REFUSALS;

export function refusal(type: RefusalType, message: string, data?: unknown): Errors.MoleculerClientError {
  return new Errors.MoleculerClientError(message, REFUSALS[type], type, data);
}
