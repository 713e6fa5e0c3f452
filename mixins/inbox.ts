import { QueryTypes, type Sequelize, type Transaction } from "sequelize";

/** The messages this service has applied, recorded in the same transaction as their effect. */
export class Inbox {
  constructor(private readonly sequelize: Sequelize) {}

  /** True the first time a message id is seen in this transaction's view; false for a duplicate. */
  async record(messageId: string, type: string, transaction: Transaction): Promise<boolean> {
    const inserted = await this.sequelize.query(
      `INSERT INTO inbox (message_id, type) VALUES (:messageId, :type)
       ON CONFLICT (message_id) DO NOTHING RETURNING message_id`,
      { replacements: { messageId, type }, transaction, type: QueryTypes.SELECT },
    );
    return inserted.length === 1;
  }
}
