import { setTimeout as sleep } from "node:timers/promises";
import { Errors } from "moleculer";
import type { ClientBase } from "pg";
import type { Sequelize } from "sequelize";
import { isLostConnection } from "../db/errors";
import { type BoundStatement, type Connection, SqlStatement, withConnection } from "../db/sql";

/** Tells, on a fresh connection, whether a lost session's work is in the database. */
export type CommitWitness = (client: ClientBase) => Promise<boolean>;

/** How long the database is asked before the outcome is called unknown: about ten seconds. */
const ASKING = { attempts: 8, firstDelayMs: 100, maxDelayMs: 2_000 };

/**
 * The one answer that does not say whether the work was done. Retrying is safe only with the same
 * Idempotency-Key, which then replays the first answer if it was.
 */
export function outcomeUnknown(): Errors.MoleculerRetryableError {
  return new Errors.MoleculerRetryableError(
    "The connection to the database broke while this was being committed, and the database could not be asked whether it was; retry with the same Idempotency-Key to find out",
    503,
    "OUTCOME_UNKNOWN",
  );
}

const TRANSACTION_STATUS = new SqlStatement<{ status: string | null }>("SELECT txid_status($1::bigint) AS status");
const TERMINATE = new SqlStatement("SELECT pg_terminate_backend($1)");
const STILL_RUNNING = new SqlStatement("SELECT 1 FROM pg_stat_activity WHERE pid = $1");

/** The witness of a transaction: PostgreSQL's own record of how transaction `xid` ended. */
export const transactionCommitted =
  (xid: string): CommitWitness =>
  async (client) =>
    (await TRANSACTION_STATUS.run(client, [xid]))[0].status === "committed";

/** Ends the server process behind a lost session (`backendPid`), and resolves once it has gone. */
async function endSession(client: Connection, backendPid: number): Promise<void> {
  await TERMINATE.run(client, [backendPid]);
  for (let wait = 0; (await STILL_RUNNING.run(client, [backendPid])).length > 0; wait++) {
    if (wait > 200) throw new Error(`Session ${backendPid} does not end`);
    await sleep(10);
  }
}

/**
 * Ends a session whose connection broke before it committed. The server may not have noticed (a
 * half-open connection: the client's side broke, the server's did not), and would keep the session in
 * its transaction, holding the unit's row locks, until TCP keepalive tells it, hours later: the unit's
 * retry would wait on them. Called once the broken connection is out of the pool, since it takes a
 * connection of its own. Best effort: a database that cannot be reached has no session to end.
 */
export async function endLostSession(sequelize: Sequelize, backendPid: number): Promise<void> {
  await withConnection(sequelize, (client) => endSession(client, backendPid)).catch(() => undefined);
}

/**
 * Whether the work of a session lost while it committed (`backendPid`: the server process behind it)
 * is in the database. The old session is ended first: the server may still be running it after the
 * socket broke, and commit it later. Then `witness` tells. A database that cannot be asked for a few
 * seconds leaves the outcome unknown (`OUTCOME_UNKNOWN`): never a blind guess either way.
 */
export async function committedAfterLoss(sequelize: Sequelize, backendPid: number, witness: CommitWitness): Promise<boolean> {
  let delay = ASKING.firstDelayMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await withConnection(sequelize, async (client) => {
        await endSession(client, backendPid);
        return witness(client);
      });
    } catch {
      if (attempt >= ASKING.attempts) throw outcomeUnknown();
      await sleep(delay);
      delay = Math.min(2 * delay, ASKING.maxDelayMs);
    }
  }
}

const COMMIT = new SqlStatement("COMMIT");

/**
 * Commits the transaction open on `connection`. Should the connection break while it commits, whether
 * it did is found out through `xid` (the transaction's id, see db/sql.ts `allAtOnce`) before answering:
 * committed, it resolves as if nothing had happened; rolled back, the connection error is thrown
 * (running the work again is safe); unknown, or no `xid` to ask about, `OUTCOME_UNKNOWN`.
 */
export async function commit(sequelize: Sequelize, connection: Connection, xid: string | undefined): Promise<void> {
  let command: string;
  try {
    command = await COMMIT.runForCommand(connection, []);
  } catch (err) {
    if (!isLostConnection(err)) throw err;
    if (xid === undefined) throw outcomeUnknown();
    if (!(await committedAfterLoss(sequelize, connection.processID, transactionCommitted(xid)))) throw err;
    return;
  }
  // PostgreSQL answers COMMIT in a transaction a failed statement aborted by rolling it back, with no error.
  if (command !== "COMMIT") throw new Error("A statement of this transaction failed unseen: nothing was committed");
}

/**
 * Runs a statement on its own (it commits by itself). Should the connection break under it, whether
 * it committed is found out through `witness` before answering: committed, it resolves; not
 * committed, the connection error is thrown; unknown, or no witness, `OUTCOME_UNKNOWN`.
 */
export function runAloneOrFindOut(
  sequelize: Sequelize,
  { statement, values }: BoundStatement,
  witness: CommitWitness | undefined,
): Promise<void> {
  return withConnection(sequelize, async (client) => {
    try {
      await statement.run(client, values);
    } catch (err) {
      if (!isLostConnection(err)) throw err;
      if (!witness) throw outcomeUnknown();
      if (!(await committedAfterLoss(sequelize, client.processID, witness))) throw err;
    }
  });
}
