import type { ClientBase } from "pg";
import type { Model, ModelStatic } from "sequelize";
import type { CommitWitness } from "../units/commit-outcome";
import { type BoundStatement, SqlStatement } from "./sql";

const quoted = (name: string) => `"${name}"`;

/** A row's new values by attribute name, and the primary key of the row they go to. */
export type RowChanges = { id: string } & Record<string, unknown>;

/**
 * Many rows of one table in one statement, whatever their number: the rows travel as one JSON
 * document that PostgreSQL turns back into the table's records (`jsonb_populate_recordset`). One
 * parameter instead of a placeholder per value keeps both the SQL and its escaping cheap.
 */
export class TableWrites {
  /** [attribute, column] of each of the model's attributes */
  private readonly columns: Array<[string, string]>;
  private readonly columnOf: Map<string, string>;
  /** every attribute of the model: what a whole row is */
  readonly attributes: string[];
  /** the BIGINT attributes, which pg reads as strings */
  private readonly bigints: Set<string>;
  private readonly table: string;
  /** INSERTs by the columns they write */
  private readonly inserting = new Map<string, SqlStatement>();
  /** UPDATEs by the attributes they change */
  private readonly updating = new Map<string, SqlStatement>();
  private readonly locking: Map<string, SqlStatement>;
  private readonly finding: SqlStatement;

  constructor(model: ModelStatic<Model>) {
    this.columns = Object.entries(model.getAttributes()).map(([attribute, { field }]) => [attribute, field ?? attribute]);
    this.columnOf = new Map(this.columns);
    this.attributes = this.columns.map(([attribute]) => attribute);
    this.bigints = new Set(
      Object.entries(model.getAttributes()).flatMap(([attribute, { type }]) =>
        typeof type !== "string" && type.key === "BIGINT" ? [attribute] : [],
      ),
    );
    this.table = quoted(model.getTableName() as string);
    this.locking = new Map();
    this.finding = new SqlStatement(`SELECT 1 FROM ${this.table} WHERE id = $1`);
  }

  /**
   * New rows, by attribute name, in one statement to run with others (`createdAt`/`updatedAt` default
   * to now); undefined for none. Only the columns some row has a value for are written, so the others
   * take their DEFAULT; a row without a value another row has gets NULL there.
   */
  insertion(rows: object[]): BoundStatement | undefined {
    if (rows.length === 0) return undefined;
    const now = new Date();
    const records = this.records(rows, { createdAt: now, updatedAt: now });
    const columns = this.columns.map(([, column]) => column).filter((column) => records.some((record) => column in record));
    const key = columns.join(",");
    let statement = this.inserting.get(key);
    if (!statement) {
      const list = columns.map(quoted).join(", ");
      statement = new SqlStatement(
        (param) =>
          `INSERT INTO ${this.table} (${list}) SELECT ${list} FROM jsonb_populate_recordset(NULL::${this.table}, ${param(1)}::jsonb)`,
        { prepareAs: `insert ${this.table} (${key})` },
      );
      this.inserting.set(key, statement);
    }
    return { statement, values: [JSON.stringify(records)] };
  }

  /** Tells whether the row with primary key `id` is stored: the witness of a statement that inserted it. */
  stored(id: string): CommitWitness {
    return async (client) => (await this.finding.run(client, [id])).length > 0;
  }

  /**
   * The rows whose uuid attribute `by` is one of `values`, locked FOR UPDATE in id order (the one
   * global order every batch locks rows in, so two batches never deadlock), with the given
   * attributes as they are stored (no model getters), BIGINTs as numbers: amounts, which the
   * contracts keep within safe integers (contracts/money.ts).
   */
  async lock<T>(by: keyof T & string, values: string[], attributes: Array<keyof T & string>, connection: ClientBase): Promise<T[]> {
    const key = `${by}: ${attributes.join(" ")}`;
    let statement = this.locking.get(key);
    if (!statement) {
      const selected = attributes.map((attribute) => `${quoted(this.columnOf.get(attribute)!)} AS ${quoted(attribute)}`).join(", ");
      const column = quoted(this.columnOf.get(by)!);
      statement = new SqlStatement(`SELECT ${selected} FROM ${this.table} WHERE ${column} = ANY ($1::uuid[]) ORDER BY id FOR UPDATE`);
      this.locking.set(key, statement);
    }
    const rows = await statement.run(connection, [values]);
    const bigints = attributes.filter((attribute) => this.bigints.has(attribute));
    for (const row of rows) for (const attribute of bigints) row[attribute] = Number(row[attribute]);
    return rows as T[];
  }

  /**
   * Writes each row's changes (by primary key `id`), `updatedAt` set to now unless a row gives it. Every
   * row must change the same attributes: one statement writes them all, and a row lacking one would
   * have it set to NULL. Only the columns some
   * row changes travel. The ids are also listed as such: from the function's rows alone the planner
   * scans the whole table.
   */
  async update(changes: RowChanges[], connection: ClientBase): Promise<void> {
    if (changes.length === 0) return;
    const changed = (row: RowChanges) => Object.keys(row).filter((attribute) => attribute !== "id" && attribute !== "updatedAt");
    const shape = changed(changes[0]).sort().join();
    if (changes.some((row) => changed(row).sort().join() !== shape))
      throw new Error(`Rows changing different attributes go in separate updates: ${this.table}`);
    let statement = this.updating.get(shape);
    if (!statement) {
      const columns = [...changed(changes[0]), "updatedAt"].map((attribute) => quoted(this.columnOf.get(attribute)!));
      statement = new SqlStatement(
        `UPDATE ${this.table} AS t SET ${columns.map((column) => `${column} = r.${column}`).join(", ")}
         FROM jsonb_populate_recordset(NULL::${this.table}, $1::jsonb) AS r WHERE t.id = r.id AND t.id = ANY ($2::uuid[])`,
      );
      this.updating.set(shape, statement);
    }
    await statement.run(connection, [JSON.stringify(this.records(changes, { updatedAt: new Date() })), changes.map((row) => row.id)]);
  }

  /** The rows keyed by column name, `defaults` filling in what a row lacks; what is no attribute of the model is left out. */
  private records(rows: object[], defaults: Record<string, unknown>): Array<Record<string, unknown>> {
    return rows.map((row) => {
      const record: Record<string, unknown> = {};
      for (const [attribute, column] of this.columns) {
        const value = attribute in row ? (row as Record<string, unknown>)[attribute] : defaults[attribute];
        if (value !== undefined) record[column] = value;
      }
      return record;
    });
  }
}
