import { Errors } from "moleculer";
import { ConnectionAcquireTimeoutError, ConnectionError, DatabaseError } from "sequelize";

/** PostgreSQL SQLSTATEs that mean "the database is not there right now", not "the query is wrong". */
const UNAVAILABLE_STATES = new Set(["57P01", "57P02", "57P03", "53300", "3D000"]);

function isUnavailable(err: unknown): boolean {
  if (err instanceof ConnectionError || err instanceof ConnectionAcquireTimeoutError) return true;
  const state = err instanceof DatabaseError ? (err.original as { code?: string }).code : undefined;
  return state !== undefined && (UNAVAILABLE_STATES.has(state) || state.startsWith("08"));
}

/** A lost or refused database becomes a 503 the client may retry; anything else is left as it is. */
export function toServiceError(err: unknown): unknown {
  if (!isUnavailable(err)) return err;
  return new Errors.MoleculerRetryableError("The database is unavailable; retry later", 503, "DATABASE_UNAVAILABLE");
}
