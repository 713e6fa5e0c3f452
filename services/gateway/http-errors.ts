import { Errors } from "moleculer";
import { ERRORS } from "./error-catalogue";

/** Moleculer errors meaning "the service behind this route is not there right now": the call never reached it. */
const UNAVAILABLE = new Set(["SERVICE_NOT_FOUND", "SERVICE_NOT_AVAILABLE"]);

/**
 * Moleculer errors of a call that reached its service and was not answered: the caller gave up
 * (REQUEST_TIMEOUT), or the node left with the call pending (REQUEST_REJECTED). It may have been done.
 */
const IN_DOUBT = new Set(["REQUEST_TIMEOUT", "REQUEST_REJECTED"]);

/** A retryable server-side failure (the transporter lost its broker: 502 BAD_GATEWAY…) is a 503 too. */
const isUnavailable = (err: Errors.MoleculerError) => UNAVAILABLE.has(err.type) || (err.retryable && err.code >= 500);

/**
 * The error a client sees: client errors pass through (validation details trimmed to
 * `{ field, message, type }`), an absent service is a 503, a service at capacity (its admission
 * queue full) a 503 `OVERLOADED`, a call that went unanswered a 503 `OUTCOME_UNKNOWN` (what the
 * gateway refuses itself is a client error already: refusals.ts), and anything else is a bare 500
 * that tells nothing of the internals.
 */
export function toHttpError(err: unknown): Errors.MoleculerError {
  if (err instanceof Errors.ValidationError) {
    return new Errors.ValidationError("Parameters validation error!", "VALIDATION_ERROR", validationDetails(err.data));
  }
  if (err instanceof Errors.MoleculerError) {
    if (IN_DOUBT.has(err.type)) {
      return new Errors.MoleculerError(
        "No answer came from the service; this may or may not have been done: retry with the same Idempotency-Key to find out",
        503,
        "OUTCOME_UNKNOWN",
        { reason: err.type },
      );
    }
    if (err.type === "QUEUE_FULL") {
      return new Errors.MoleculerError("The service is at capacity; nothing was done, retry later", 503, "OVERLOADED");
    }
    // moleculer-web's own 503 for a route whose service has no node right now carries no type.
    if ((err.code !== 503 && isUnavailable(err)) || (err.code === 503 && !err.type)) {
      return new Errors.MoleculerError("Service temporarily unavailable, retry later", 503, "SERVICE_UNAVAILABLE", {
        reason: err.type ?? "SERVICE_NOT_FOUND",
      });
    }
    if (err.code >= 400 && err.code < 500 && !(err.type in ERRORS)) return uncatalogued(err);
    if ((err.code >= 400 && err.code < 500) || err.code === 503) return err;
  }
  return new Errors.MoleculerError("Internal server error", 500, "INTERNAL_ERROR");
}

/**
 * A client error of a type the catalogue does not list (moleculer-web's `UNABLE_DECODE_PARAM` for a
 * path that is not valid percent-encoding, a library's own): answered as one the document describes.
 */
function uncatalogued(err: Errors.MoleculerError): Errors.MoleculerError {
  if (err.code === 404) return new Errors.MoleculerClientError("Not found", 404, "NOT_FOUND");
  return new Errors.MoleculerClientError("The request is not valid", 400, "BAD_REQUEST", { reason: err.type ?? null });
}

interface ValidatorFailure {
  field?: string;
  message?: string;
  type?: string;
  actual?: unknown;
}

export interface FieldError {
  field: string;
  message: string;
  type: string;
}

/**
 * fastest-validator's failures as `{ field, message, type }`. Unknown keys (`objectStrict`)
 * become one entry per key, named by its full path, instead of a message about the parent.
 */
export function validationDetails(failures: unknown): FieldError[] {
  return (failures as ValidatorFailure[]).flatMap(({ field = "", message = "", type = "invalid", actual }) => {
    if (type !== "objectStrict") return [{ field, message, type }];
    return String(actual)
      .split(", ")
      .map((key) => {
        const path = field ? `${field}.${key}` : key;
        return { field: path, message: `The '${path}' field is not allowed.`, type };
      });
  });
}

/** Refusals of work that was not started: the client may retry soon. */
const BUSY = new Set(["OVERLOADED", "DEADLINE_EXCEEDED", "DATABASE_BUSY"]);

/** Seconds a client should wait before retrying a 503 of this type. */
export function retryAfterSeconds(type: string): number {
  return BUSY.has(type) ? 1 : 5;
}
