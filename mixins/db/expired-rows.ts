import type { Logger } from "moleculer";
import type { Sequelize } from "sequelize";
import { SqlStatement } from "./sql";

/** Most rows one purge statement deletes. */
const PURGE_BATCH_SIZE = 1_000;

/** What a purge deleted, and in how many statements. */
export interface Purged {
  rows: number;
  statements: number;
}

/**
 * The rows of a table that have outlived their retention window, deleted a batch at a time until none
 * is left. Each statement deletes at most `batchSize` rows and commits on its own, so a purge never
 * holds many row locks or one long transaction, and it skips rows a writer holds (they go next time)
 * instead of waiting for them: the hot path never waits for more than one batch.
 */
export class ExpiredRows {
  private readonly deleting: SqlStatement<{ deleted: number }>;

  /** Rows of `table` (primary key `key`) whose `timestamp` is older than the window given to `purge`. */
  constructor(
    private readonly sequelize: Sequelize,
    table: string,
    key: string,
    timestamp: string,
  ) {
    this.deleting = new SqlStatement(
      `WITH expired AS (
         DELETE FROM ${table} WHERE ${key} IN (
           SELECT ${key} FROM ${table} WHERE ${timestamp} < now() - $1::interval LIMIT $2 FOR UPDATE SKIP LOCKED)
         RETURNING 1)
       SELECT count(*)::int AS deleted FROM expired`,
    );
  }

  /** Deletes the rows older than `retention` (a PostgreSQL interval: '24 hours', '7 days'). */
  async purge(retention: string, batchSize = PURGE_BATCH_SIZE): Promise<Purged> {
    const purged: Purged = { rows: 0, statements: 0 };
    let deleted: number;
    do {
      [{ deleted }] = await this.deleting.runAlone(this.sequelize, [retention, batchSize]);
      purged.rows += deleted;
      purged.statements += 1;
    } while (deleted === batchSize);
    return purged;
  }
}

/** How often what has outlived its retention window (Idempotency-Keys, inbox records) is purged. */
const PURGE_INTERVAL_MS = 60 * 60 * 1000;

/**
 * Runs `purge` every hour and logs what it deleted; a round that fails is logged and tried again the
 * next hour. Returns the timer, to clear when the service stops.
 */
export function purgeHourly(what: string, purge: () => Promise<Purged>, logger: Logger): NodeJS.Timeout {
  return setInterval(async () => {
    try {
      const { rows, statements } = await purge();
      if (rows > 0) logger.info(`Purged ${rows} expired ${what} in ${statements} statement(s)`);
    } catch (err) {
      logger.warn(`Purging expired ${what} failed; it is tried again next round: ${(err as Error).message}`);
    }
  }, PURGE_INTERVAL_MS);
}
