import { QueryTypes, type Sequelize, type Transaction } from "sequelize";

/** The messages this service has applied, recorded in the same transaction as their effect. */
export class Inbox {
  constructor(private readonly sequelize: Sequelize) {}

  /**
   * Records the messages of one type; returns the ids seen for the first time in this transaction's
   * view (the others are duplicates). Ids go in sorted, so two batches sharing some never deadlock.
   */
  async record(ids: string[], type: string, transaction: Transaction): Promise<Set<string>> {
    const inserted = await this.sequelize.query<{ message_id: string }>(
      `INSERT INTO inbox (message_id, type)
       SELECT DISTINCT id, :type FROM unnest(ARRAY[:ids]::uuid[]) AS id ORDER BY id
       ON CONFLICT (message_id) DO NOTHING RETURNING message_id`,
      { replacements: { ids, type }, transaction, type: QueryTypes.SELECT },
    );
    return new Set(inserted.map((row) => row.message_id));
  }
}
