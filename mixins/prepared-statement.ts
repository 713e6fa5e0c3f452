import { DatabaseError as PgDatabaseError, type ClientBase, type QueryResultRow } from "pg";
import { ConnectionError, DatabaseError, type Transaction } from "sequelize";

/**
 * A statement on a hot path (one per batch: the bulk INSERTs, the outbox, the inbox), run on the
 * transaction's own connection as a named prepared statement. PostgreSQL parses it once per
 * connection instead of once per batch, and it skips Sequelize's query pipeline, which cost the
 * service nodes more than the pg client itself (a stack captured, hooks run and every value escaped
 * into the text, per query). Only statements whose plan cannot depend on their values belong here
 * (INSERTs from a parameter): after five runs PostgreSQL may keep a generic plan, built for the
 * table as it was then.
 *
 * Failures come out as Sequelize's errors, like those of every other query.
 */
export class PreparedStatement<R extends QueryResultRow = QueryResultRow> {
  constructor(
    private readonly name: string,
    private readonly text: string,
  ) {}

  async run(transaction: Transaction, values: unknown[]): Promise<R[]> {
    // Sequelize keeps a transaction's pg client there; its typings leave it out.
    const client = (transaction as unknown as { connection: ClientBase }).connection;
    try {
      return (await client.query<R>({ name: this.name, text: this.text, values })).rows;
    } catch (err) {
      throw err instanceof PgDatabaseError
        ? new DatabaseError(Object.assign(err, { sql: this.text, parameters: values }) as never)
        : new ConnectionError(err as Error);
    }
  }
}
