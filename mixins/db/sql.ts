import { createHash } from "node:crypto";
import { type ClientBase, DatabaseError as PgDatabaseError, type QueryResult, type QueryResultRow } from "pg";
import { ConnectionError, DatabaseError, type Sequelize } from "sequelize";
import { isLostConnection, isSpentSession } from "./errors";

/**
 * A statement on a hot path (every statement of a unit of work, from its BEGIN to its COMMIT: the bulk
 * writes, the outbox, the inbox, the row locks), sent by the pg client itself with its values as
 * parameters. Sequelize's query pipeline cost the service nodes more than the pg client (a stack
 * captured, hooks run and every value escaped into the text, per query); its models, moleculer-db's
 * reads and everything off the hot path stay with it.
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
  /** The text, its parameters numbered from `$1`. */
  readonly text: string;
  private readonly render?: (param: (n: number) => string) => string;
  /** `prepareAs` as PostgreSQL keeps it: within its 63 bytes, a long name shortened but still its own. */
  private readonly preparedName?: string;

  /**
   * `text` is the SQL with `$1`, `$2`…; or, for a statement that `allAtOnce` may combine with others, a
   * function writing it with `param(n)` for its n-th parameter, so that it can be numbered after theirs.
   */
  constructor(
    text: string | ((param: (n: number) => string) => string),
    readonly options: { prepareAs?: string } = {},
  ) {
    this.render = typeof text === "function" ? text : undefined;
    this.text = typeof text === "function" ? text((n) => `$${n}`) : text;
    this.preparedName = options.prepareAs === undefined ? undefined : preparedName(options.prepareAs);
  }

  /** The text with its n-th parameter numbered `$(offset + n)`, to follow `offset` parameters of others. */
  textAfter(offset: number): string {
    if (!this.render) throw new Error(`Only a statement written with param(n) combines with others: ${this.text}`);
    return this.render((n) => `$${n + offset}`);
  }

  /** Runs on its own, on a connection of the pool. */
  runAlone(sequelize: Sequelize, values: unknown[]): Promise<R[]> {
    return withConnection(sequelize, (client) => this.run(client, values));
  }

  /** Runs on `client`, a connection the caller holds (a unit of work's, in its transaction). */
  async run(client: ClientBase, values: unknown[]): Promise<R[]> {
    return (await this.send(client, values)).rows;
  }

  /** Runs on `client`, answering what PostgreSQL says it did: its command tag (`COMMIT`, `INSERT`…). */
  async runForCommand(client: ClientBase, values: unknown[]): Promise<string> {
    return (await this.send(client, values)).command;
  }

  private async send(client: ClientBase, values: unknown[]): Promise<QueryResult<R>> {
    try {
      return await client.query<R>({ name: this.preparedName, text: this.text, values });
    } catch (err) {
      if (err instanceof PgDatabaseError) throw new DatabaseError(Object.assign(err, { sql: this.text, parameters: values }) as never);
      throw isLostConnection(err) ? new ConnectionError(err as Error) : err;
    }
  }
}

const MAX_NAME_BYTES = 63;

/**
 * PostgreSQL cuts a statement's name at 63 bytes: two long names alike in their first 63 would be one
 * prepared statement, and the second PREPARE would fail. A longer name keeps its start and gains a
 * hash of the whole.
 */
function preparedName(name: string): string {
  if (Buffer.byteLength(name) <= MAX_NAME_BYTES) return name;
  const hash = createHash("sha256").update(name).digest("hex").slice(0, 16);
  return `${Buffer.from(name)
    .subarray(0, MAX_NAME_BYTES - hash.length - 1)
    .toString("utf8")
    .replace(/\uFFFD$/, "")} ${hash}`;
}

/**
 * A connection of the pool: Sequelize's PostgreSQL dialect hands out pg clients, each with the id of the
 * server process behind it (`processID`, which pg's typings leave out).
 */
export type Connection = ClientBase & { processID: number };

/**
 * `work` on a connection of the pool. The connection goes back to the pool only as it came: idle,
 * outside any transaction, on a server that takes writes. One whose session was lost, that `work` left
 * inside a transaction, or whose server refused a write as read-only, is closed instead: the next
 * caller would inherit a dying session, someone else's open transaction, or a demoted server.
 */
export async function withConnection<T>(sequelize: Sequelize, work: (client: Connection) => Promise<T>): Promise<T> {
  const { connectionManager } = sequelize;
  const connection = (await connectionManager.getConnection({ type: "write" })) as Connection;
  let spent = false;
  try {
    return await work(connection);
  } catch (err) {
    spent = isSpentSession(err);
    throw err;
  } finally {
    if (spent || connection.getTransactionStatus() !== "I") void connectionManager.destroyConnection(connection).catch(() => undefined);
    else connectionManager.releaseConnection(connection);
  }
}

/** A statement with the values to run it with. */
export interface BoundStatement {
  statement: SqlStatement;
  values: unknown[];
}

const combined = new Map<string, SqlStatement>();

/**
 * Data-modifying statements (INSERTs) as one: `WITH s0 AS (…), s1 AS (…) SELECT txid_current()`,
 * which PostgreSQL runs atomically on its own, in one round trip, with no transaction to open and
 * commit around it. It answers with the id of the transaction it ran in (`xid`): inside a
 * transaction, what tells later whether that transaction committed should the connection break
 * while committing. Each part is written with `param(n)`, and its parameters are numbered after those
 * of the parts before it. Prepared when every part may be.
 */
export function allAtOnce(parts: BoundStatement[]): BoundStatement & { statement: SqlStatement<{ xid: string }> } {
  const names = parts.map(({ statement }) => statement.options.prepareAs);
  const key = names.every(Boolean) ? names.join(" + ") : parts.map(({ statement }) => statement.text).join(";");
  let statement = combined.get(key);
  if (!statement) {
    let offset = 0;
    const ctes = parts.map(({ statement: part, values }, i) => {
      const text = part.textAfter(offset);
      offset += values.length;
      return `s${i} AS (${text})`;
    });
    statement = new SqlStatement(
      `WITH ${ctes.join(", ")} SELECT txid_current()::text AS xid`,
      names.every(Boolean) ? { prepareAs: key } : {},
    );
    combined.set(key, statement);
  }
  return { statement: statement as SqlStatement<{ xid: string }>, values: parts.flatMap(({ values }) => values) };
}
