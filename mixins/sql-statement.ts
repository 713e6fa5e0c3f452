import { DatabaseError as PgDatabaseError, type ClientBase, type QueryResultRow } from "pg";
import { ConnectionError, DatabaseError, type Sequelize, type Transaction } from "sequelize";

/**
 * A statement on a hot path (once per batch: the bulk writes, the outbox, the inbox, the row locks),
 * sent by the pg client itself with its values as parameters. Sequelize's query pipeline cost the
 * service nodes more than the pg client (a stack captured, hooks run and every value escaped into
 * the text, per query); its transactions, models and everything off the hot path stay.
 *
 * `prepareAs` names it: PostgreSQL then parses it once per connection instead of once per run, and
 * after five runs may keep one generic plan for good, made for the table as it was then. Only a
 * statement whose plan cannot depend on its values or on the table's size may be named (an INSERT
 * from a parameter); one that finds rows by key is planned anew each run, or a plan made while the
 * table was tiny would go on scanning it whole.
 *
 * Failures come out as Sequelize's errors, like those of every other query: PostgreSQL's own as a
 * DatabaseError, a lost connection as a ConnectionError (which callers answer with a 503).
 */
export class SqlStatement<R extends QueryResultRow = QueryResultRow> {
  constructor(
    readonly text: string,
    readonly options: { prepareAs?: string } = {},
  ) {}

  /** Runs in `transaction`, on its own connection. */
  run(transaction: Transaction, values: unknown[]): Promise<R[]> {
    // Sequelize keeps a transaction's pg client there; its typings leave it out.
    return this.send((transaction as unknown as { connection: ClientBase }).connection, values);
  }

  /** Runs on its own, on a connection of the pool. */
  async runAlone(sequelize: Sequelize, values: unknown[]): Promise<R[]> {
    const connection = await sequelize.connectionManager.getConnection({ type: "write" });
    try {
      return await this.send(connection as ClientBase, values);
    } finally {
      sequelize.connectionManager.releaseConnection(connection);
    }
  }

  private async send(client: ClientBase, values: unknown[]): Promise<R[]> {
    try {
      return (await client.query<R>({ name: this.options.prepareAs, text: this.text, values })).rows;
    } catch (err) {
      if (err instanceof PgDatabaseError) throw new DatabaseError(Object.assign(err, { sql: this.text, parameters: values }) as never);
      throw lostConnection(err) ? new ConnectionError(err as Error) : err;
    }
  }
}

/** How the pg client reports a connection that broke under a query (it has no error class for it). */
function lostConnection(err: unknown): boolean {
  const { code, message } = err as { code?: unknown; message?: unknown };
  return (typeof code === "string" && /^E[A-Z]+$/.test(code)) || /^(Connection terminated|Client has encountered a connection error)/.test(String(message));
}

/** A statement with the values to run it with. */
export interface BoundStatement {
  statement: SqlStatement;
  values: unknown[];
}

const combined = new Map<string, SqlStatement>();

/**
 * Data-modifying statements (INSERTs) as one: `WITH s0 AS (…), s1 AS (…) SELECT`, which PostgreSQL
 * runs atomically on its own, in one round trip, with no transaction to open and commit around it.
 * Each part's parameters are renumbered after those of the parts before it. Prepared when every part
 * may be.
 */
export function allAtOnce(parts: BoundStatement[]): BoundStatement {
  if (parts.length === 1) return parts[0];
  const names = parts.map(({ statement }) => statement.options.prepareAs);
  const key = names.every(Boolean) ? names.join(" + ") : parts.map(({ statement }) => statement.text).join(";");
  let statement = combined.get(key);
  if (!statement) {
    let offset = 0;
    const ctes = parts.map(({ statement: part, values }, i) => {
      const text = part.text.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`);
      offset += values.length;
      return `s${i} AS (${text})`;
    });
    statement = new SqlStatement(`WITH ${ctes.join(", ")} SELECT`, names.every(Boolean) ? { prepareAs: key } : {});
    combined.set(key, statement);
  }
  return { statement, values: parts.flatMap(({ values }) => values) };
}
