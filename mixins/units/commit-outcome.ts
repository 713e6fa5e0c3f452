import { setTimeout as sleep } from "node:timers/promises";
import { Errors } from "moleculer";
import type { ClientBase } from "pg";
import type { Sequelize, Transaction } from "sequelize";
import { isLostConnection } from "../db/errors";
import { type BoundStatement, connectionOf, withConnection } from "../db/sql";

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

/** The witness of a transaction: PostgreSQL's own record of how transaction `xid` ended. */
export const transactionCommitted =
  (xid: string): CommitWitness =>
  async (client) =>
    (await client.query<{ status: string | null }>("SELECT txid_status($1::bigint) AS status", [xid])).rows[0].status === "committed";

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
        await client.query("SELECT pg_terminate_backend($1)", [backendPid]);
        for (let wait = 0; (await client.query("SELECT 1 FROM pg_stat_activity WHERE pid = $1", [backendPid])).rowCount; wait++) {
          if (wait > 200) throw new Error(`Session ${backendPid} does not end`);
          await sleep(10);
        }
        return witness(client);
      });
    } catch {
      if (attempt >= ASKING.attempts) throw outcomeUnknown();
      await sleep(delay);
      delay = Math.min(2 * delay, ASKING.maxDelayMs);
    }
  }
}

/**
 * Commits `transaction`. Should the connection break while it commits, whether it did is found out
 * through `xid` (the transaction's id, see db/sql.ts `allAtOnce`) before answering: committed,
 * it resolves as if nothing had happened; rolled back, the connection error is thrown (running the
 * work again is safe); unknown, or no `xid` to ask about, `OUTCOME_UNKNOWN`.
 */
export async function commit(sequelize: Sequelize, transaction: Transaction, xid: string | undefined): Promise<void> {
  const { processID } = connectionOf(transaction);
  try {
    await transaction.commit();
  } catch (err) {
    if (!isLostConnection(err)) throw err;
    if (xid === undefined) throw outcomeUnknown();
    if (!(await committedAfterLoss(sequelize, processID, transactionCommitted(xid)))) throw err;
  }
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
      await statement.runOn(client, values);
    } catch (err) {
      if (!isLostConnection(err)) throw err;
      if (!witness) throw outcomeUnknown();
      if (!(await committedAfterLoss(sequelize, client.processID, witness))) throw err;
    }
  });
}
