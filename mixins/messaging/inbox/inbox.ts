import type { ClientBase } from "pg";
import type { Sequelize } from "sequelize";
import { ExpiredRows, type Purged } from "../../db/expired-rows";
import { SqlStatement } from "../../db/sql";

/** Ids go in sorted, so two batches sharing some never deadlock. */
const RECORD = new SqlStatement<{ message_id: string }>(
  `INSERT INTO inbox (message_id, type)
   SELECT DISTINCT id, $2::varchar FROM unnest($1::uuid[]) AS id ORDER BY id
   ON CONFLICT (message_id) DO NOTHING RETURNING message_id`,
  { prepareAs: "inbox record" },
);

/** The messages this service has applied, recorded in the same transaction as their effect. */
export class Inbox {
  private readonly expired: ExpiredRows;

  constructor(
    sequelize: Sequelize,
    private readonly retentionDays: number,
  ) {
    this.expired = new ExpiredRows(sequelize, "inbox", "message_id", "received_at");
  }

  /**
   * Records the messages of one type; returns the ids seen for the first time in this transaction's
   * view (the others are duplicates), on the connection of the unit of work they are applied in.
   */
  async record(ids: string[], type: string, connection: ClientBase): Promise<Set<string>> {
    const inserted = await RECORD.run(connection, [ids, type]);
    return new Set(inserted.map((row) => row.message_id));
  }

  /** Forgets the messages received before the deduplication window: one arriving again is new to it. */
  purgeExpired(batchSize?: number): Promise<Purged> {
    return this.expired.purge(`${this.retentionDays} days`, batchSize);
  }
}
