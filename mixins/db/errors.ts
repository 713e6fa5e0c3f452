import { Errors } from "moleculer";
import { ConnectionAcquireTimeoutError, ConnectionError, DatabaseError } from "sequelize";

/**
 * PostgreSQL SQLSTATEs that mean "the database cannot do this work right now", not "the work is wrong":
 * the database missing (3D000), writes refused by a read-only server (25006: a standby after a
 * failover), and the classes of resources running out (53: disk full, memory, connections), of an
 * operator or a timeout stepping in (57: a statement cancelled, the server shutting down) and of system
 * errors (58: I/O). PostgreSQL answered with an error, so the transaction was rolled back: nothing was
 * done, and the same work may succeed later. A consumer must not reject a message for them: a
 * rejection counts toward parking a message that was never at fault.
 */
const READ_ONLY_SERVER = "25006";
const UNAVAILABLE_STATES = new Set(["3D000", READ_ONLY_SERVER]);
const UNAVAILABLE_CLASSES = new Set(["53", "57", "58"]);

/** Sequelize's pool after it was closed (a node stopping): it has no error class for it. */
const CLOSED_POOL = /connection manager was closed/;

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

/**
 * The connection must not go back to the pool: its session is lost, or its server refuses writes (a
 * standby after a failover; a new connection finds the new primary).
 */
export function isSpentSession(err: unknown): boolean {
  return isLostConnection(err) || sqlState(err) === READ_ONLY_SERVER;
}

/** A deadlock or serialization failure: rolled back by PostgreSQL, safe and right to run again. */
export function isTransient(err: unknown): boolean {
  const state = sqlState(err);
  return state !== undefined && TRANSIENT_STATES.has(state);
}

function isUnavailable(err: unknown): boolean {
  if (err instanceof ConnectionAcquireTimeoutError || isLostConnection(err)) return true;
  if (CLOSED_POOL.test(String((err as { message?: unknown })?.message))) return true;
  const state = sqlState(err);
  return state !== undefined && (UNAVAILABLE_STATES.has(state) || UNAVAILABLE_CLASSES.has(state.slice(0, 2)));
}

/**
 * A lost, refused or unable database becomes a 503 the client may retry, and so does a transaction that
 * kept losing races after its retries; anything else is left as it is. The database's own error stays
 * as the `cause`, for this node's logs (a full disk must read as one there); Moleculer does not send it
 * to the caller.
 */
export function toServiceError(err: unknown): unknown {
  const retryable = (message: string, type: string) =>
    Object.assign(new Errors.MoleculerRetryableError(message, 503, type), { cause: err });
  if (isUnavailable(err)) return retryable("The database is unavailable; retry later", "DATABASE_UNAVAILABLE");
  if (isTransient(err)) return retryable("The database is busy with conflicting work; retry later", "DATABASE_BUSY");
  return err;
}

/** What the database said, for a log line: its SQLSTATE and message, when `err` was mapped from its error. */
export function databaseReason(err: unknown): string | undefined {
  const cause = (err as { cause?: unknown })?.cause;
  if (cause === undefined) return undefined;
  const state = sqlState(cause);
  const message = (cause as { message?: unknown })?.message;
  return state ? `${state} ${message}` : String(message);
}
