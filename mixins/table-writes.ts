import type { Model, ModelStatic, Sequelize, Transaction } from "sequelize";
import { PreparedStatement } from "./prepared-statement";

const quoted = (name: string) => `"${name}"`;

/**
 * Many rows of one table in one statement, whatever their number: the rows travel as one JSON
 * document that PostgreSQL turns back into the table's records (`jsonb_populate_recordset`). One
 * parameter instead of a placeholder per value keeps both the SQL and its escaping cheap.
 */
export class TableWrites {
  private readonly columnOf: Map<string, string>;
  private readonly table: string;
  private readonly inserting: PreparedStatement;

  constructor(
    private readonly sequelize: Sequelize,
    model: ModelStatic<Model>,
  ) {
    this.columnOf = new Map(Object.entries(model.getAttributes()).map(([attribute, { field }]) => [attribute, field ?? attribute]));
    this.table = quoted(model.getTableName() as string);
    this.inserting = new PreparedStatement(
      `insert ${this.table}`,
      `INSERT INTO ${this.table} SELECT * FROM jsonb_populate_recordset(NULL::${this.table}, $1::jsonb)`,
    );
  }

  /** New rows, by attribute name; `createdAt`/`updatedAt` default to now. */
  async insert(rows: object[], transaction: Transaction): Promise<void> {
    if (rows.length === 0) return;
    const now = new Date();
    await this.inserting.run(transaction, [this.records(rows.map((row) => ({ createdAt: now, updatedAt: now, ...row })))]);
  }

  /**
   * What changed in `rows` (by primary key `id`), `updatedAt` set to now. Only those columns travel.
   * The ids are also listed as such: from the function's rows alone the planner scans the whole table.
   */
  async update(rows: Model[], transaction: Transaction): Promise<void> {
    const changed = rows.filter((row) => row.changed());
    if (changed.length === 0) return;
    const attributes = [...new Set(changed.flatMap((row) => row.changed() as string[]))];
    const columns = [...attributes, "updatedAt"].map((attribute) => quoted(this.columnOf.get(attribute)!));
    const updatedAt = new Date();
    const values = changed.map((row) => ({ id: row.get("id"), ...Object.fromEntries(attributes.map((a) => [a, row.get(a)])), updatedAt }));
    await this.sequelize.query(
      `UPDATE ${this.table} AS t SET ${columns.map((column) => `${column} = r.${column}`).join(", ")}
       FROM jsonb_populate_recordset(NULL::${this.table}, :rows) AS r WHERE t.id = r.id AND t.id IN (:ids)`,
      { replacements: { rows: this.records(values), ids: values.map((value) => value.id) }, transaction },
    );
  }

  /** The rows as JSON keyed by column name; what is no attribute of the model is left out. */
  private records(rows: object[]): string {
    return JSON.stringify(
      rows.map((row) =>
        Object.fromEntries(Object.entries(row).flatMap(([attribute, value]) => (this.columnOf.has(attribute) ? [[this.columnOf.get(attribute), value]] : []))),
      ),
    );
  }
}
