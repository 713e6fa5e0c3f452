import { Errors } from "moleculer";
import { ConnectionAcquireTimeoutError, ConnectionError, DatabaseError } from "sequelize";

/** PostgreSQL SQLSTATEs that mean "the database is not there right now", not "the query is wrong". */
const UNAVAILABLE_STATES = new Set(["57P01", "57P02", "57P03", "53300", "3D000"]);

/**
 * SQLSTATEs of a transaction that lost a race with another (deadlock_detected, serialization_failure):
 * PostgreSQL rolled it back, and running it again is the documented cure.
 */
const TRANSIENT_STATES = new Set(["40P01", "40001"]);

function sqlState(err: unknown): string | undefined {
  if (err instanceof DatabaseError) return (err.original as { code?: string }).code;
  const { code } = (err ?? {}) as { code?: unknown };
  return typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** How the pg client reports a connection that broke under a query: it has no error class for it. */
function brokenSocket(err: unknown): boolean {
  const source = err instanceof DatabaseError ? err.original : err;
  const { code, message } = (source ?? {}) as { code?: unknown; message?: unknown };
  return (
    (typeof code === "string" && /^E[A-Z]+$/.test(code)) ||
    /^(Connection terminated|Client has encountered a connection error)/.test(String(message))
  );
}

/**
 * The session ended under the statement: the socket broke, or the server ended the session. Whatever
 * the statement was doing may or may not have committed.
 */
export function isLostConnection(err: unknown): boolean {
  // A full pool is no lost session: nothing ran, and waiting again would outlast the caller.
  if (err instanceof ConnectionAcquireTimeoutError) return false;
  if (err instanceof ConnectionError) return true;
  const state = sqlState(err);
  return brokenSocket(err) || (state !== undefined && (state.startsWith("57P") || state.startsWith("08")));
}

/** A deadlock or serialization failure: rolled back by PostgreSQL, safe and right to run again. */
export function isTransient(err: unknown): boolean {
  const state = sqlState(err);
  return state !== undefined && TRANSIENT_STATES.has(state);
}

function isUnavailable(err: unknown): boolean {
  if (err instanceof ConnectionAcquireTimeoutError || isLostConnection(err)) return true;
  const state = sqlState(err);
  return state !== undefined && UNAVAILABLE_STATES.has(state);
}

/**
 * A lost or refused database becomes a 503 the client may retry, and so does a transaction that kept
 * losing races after its retries; anything else is left as it is.
 */
export function toServiceError(err: unknown): unknown {
  if (isUnavailable(err))
    return new Errors.MoleculerRetryableError("The database is unavailable; retry later", 503, "DATABASE_UNAVAILABLE");
  if (isTransient(err))
    return new Errors.MoleculerRetryableError("The database is busy with conflicting work; retry later", 503, "DATABASE_BUSY");
  return err;
}
