import { randomUUID } from "node:crypto";
import pg from "pg";
import { DatabaseError, DataTypes, Sequelize } from "sequelize";
import type { Connection } from "../../mixins/db/sql";
import { TableWrites } from "../../mixins/db/table-writes";
import { runId } from "../support/environment";
import { createDatabases, databaseUrl, dropDatabases, inTransaction, queryDatabase } from "../support/postgres";

// Bulk writes against the real PostgreSQL: values round-trip through the JSON parameter, and an
// update of a few rows stays an index lookup however big the table grows.
const database = `${runId()}_writes`;
let sequelize: Sequelize;
let writes: TableWrites;
let model: ReturnType<Sequelize["define"]>;
/** Every statement sent to PostgreSQL, through Sequelize or straight from pg (prepared statements). */
const statements: string[] = [];
const query = pg.Client.prototype.query;
jest.spyOn(pg.Client.prototype, "query").mockImplementation(function (this: pg.Client, ...args: unknown[]) {
  const [sent] = args as [string | { text: string }];
  statements.push(typeof sent === "string" ? sent : sent.text);
  return (query as (...a: unknown[]) => unknown).apply(this, args);
} as never);

beforeAll(async () => {
  await createDatabases([database]);
  sequelize = new Sequelize(databaseUrl(database), { logging: false });
  await sequelize.query(`
    CREATE TABLE things (
      id uuid PRIMARY KEY, label varchar(20) NOT NULL, details jsonb NOT NULL, amount bigint NOT NULL,
      status varchar(10) NOT NULL DEFAULT 'fresh', seen_at timestamptz, created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL)`);
  model = sequelize.define(
    "things",
    {
      id: { type: DataTypes.UUID, primaryKey: true },
      label: DataTypes.STRING(20),
      details: DataTypes.JSONB,
      amount: DataTypes.BIGINT,
      status: DataTypes.STRING(10),
      seenAt: DataTypes.DATE,
    },
    { tableName: "things", underscored: true, timestamps: true },
  );
  writes = new TableWrites(model);
});

afterAll(async () => {
  await sequelize?.close();
  await dropDatabases([database]);
});

const thing = (i: number) => ({
  id: randomUUID(),
  label: `thing ${i}`,
  details: { tags: ["a", `it's ${i}`] },
  amount: 9_007_199_254_740_991,
  status: "new",
  seenAt: null,
});

/** The rows' one INSERT, run in the transaction open on `connection`, as a unit of work's closing writes run it. */
const insert = (rows: object[], connection: Connection) => {
  const { statement, values } = writes.insertion(rows)!;
  return statement.run(connection, values);
};

describe("TableWrites", () => {
  it("lets a column no row gives a value for take its DEFAULT", async () => {
    const { status: _, ...statusless } = thing(0);
    await inTransaction(sequelize, (connection) => insert([statusless, { ...statusless, id: randomUUID() }], connection));
    expect(await queryDatabase(database, "SELECT status FROM things WHERE id = $1", [statusless.id])).toEqual([{ status: "fresh" }]);
  });

  it("inserts rows with their JSON, big integers, quotes, nulls and timestamps intact, in one statement", async () => {
    const rows = [thing(1), thing(2)];
    statements.length = 0;
    await inTransaction(sequelize, (connection) => insert(rows, connection));
    expect(statements.filter((sql) => sql.startsWith("INSERT"))).toHaveLength(1);
    const stored = await queryDatabase(
      database,
      "SELECT id, label, details, amount::text, status, seen_at, created_at FROM things WHERE id = $1",
      [rows[1].id],
    );
    expect(stored).toEqual([
      {
        id: rows[1].id,
        label: "thing 2",
        details: { tags: ["a", "it's 2"] },
        amount: "9007199254740991",
        status: "new",
        seen_at: null,
        created_at: expect.any(Date),
      },
    ]);
  });

  it("fails as Sequelize's queries do, with PostgreSQL's error code, and writes nothing", async () => {
    const [fine, broken] = [thing(3), { ...thing(4), label: null }];
    const failed = await inTransaction(sequelize, (connection) => insert([fine, broken], connection)).catch((err: unknown) => err);
    expect(failed).toBeInstanceOf(DatabaseError);
    expect((failed as DatabaseError).original).toMatchObject({ code: "23502" }); // not_null_violation
    expect(await queryDatabase(database, "SELECT id FROM things WHERE id = $1", [fine.id])).toEqual([]);
  });

  it("locks rows by id, in id order, and reads the attributes asked for", async () => {
    const rows = [thing(5), thing(6), thing(7)];
    await inTransaction(sequelize, (connection) => insert(rows, connection));
    const ids = rows.map((row) => row.id);
    await inTransaction(sequelize, async (connection) => {
      const locked = await writes.lock<{ id: string; seenAt: Date | null; status: string; amount: number }>(
        "id",
        [ids[2], ids[0]],
        ["id", "status", "seenAt", "amount"],
        connection,
      );
      // A BIGINT comes back a number, as the model's amounts do (pg alone would give a string).
      expect(locked).toEqual([ids[0], ids[2]].sort().map((id) => ({ id, status: "new", seenAt: null, amount: 9_007_199_254_740_991 })));
      // Another transaction cannot take them meanwhile.
      await expect(queryDatabase(database, "SELECT id FROM things WHERE id = $1 FOR UPDATE NOWAIT", [ids[0]])).rejects.toThrow(
        /could not obtain lock/,
      );
    });
  });

  it("updates each row's changes only, by id, with an index lookup even in a large table", async () => {
    const many = Array.from({ length: 20_000 }, (_, i) => thing(i));
    await inTransaction(sequelize, (connection) => insert(many, connection));
    await sequelize.query("ANALYZE things");
    const changes = many.slice(100, 110).map(({ id }) => ({ id, status: "seen", seenAt: new Date("2026-01-02T03:04:05Z") }));
    statements.length = 0;
    await inTransaction(sequelize, (connection) => writes.update(changes, connection));

    const updated = await queryDatabase(
      database,
      "SELECT DISTINCT status, seen_at, label LIKE 'thing %' AS label_kept FROM things WHERE id = ANY($1)",
      [changes.map((c) => c.id)],
    );
    expect(updated).toEqual([{ status: "seen", seen_at: new Date("2026-01-02T03:04:05Z"), label_kept: true }]);
    expect(await queryDatabase(database, "SELECT status FROM things WHERE id = $1", [many[110].id])).toEqual([{ status: "new" }]);

    // The statement as sent, planned with its values as PostgreSQL plans it on each run.
    const [update] = statements.filter((sql) => sql.trimStart().startsWith("UPDATE"));
    const values = [
      JSON.stringify(
        changes.map(({ id, status }) => ({ id, status, seen_at: "2026-01-02T03:04:05Z", updated_at: new Date().toISOString() })),
      ),
      changes.map((c) => c.id),
    ];
    const plan = await queryDatabase<{ "QUERY PLAN": string }>(database, `EXPLAIN ${update}`, values);
    expect(plan.map((line) => line["QUERY PLAN"]).join("\n")).not.toMatch(/Seq Scan on things/);
  });

  it("refuses rows changing different attributes in one update, rather than set the missing ones to NULL", async () => {
    const [a, b] = [thing(3), thing(4)];
    await inTransaction(sequelize, (connection) => insert([a, b], connection));
    const failed = await inTransaction(sequelize, (connection) =>
      writes.update(
        [
          { id: a.id, status: "seen" },
          { id: b.id, seenAt: new Date() },
        ],
        connection,
      ),
    ).catch((err: unknown) => err);
    expect(failed).toBeInstanceOf(Error);
    expect(await queryDatabase(database, "SELECT status FROM things WHERE id = ANY($1) ORDER BY status", [[a.id, b.id]])).toEqual([
      { status: "new" },
      { status: "new" },
    ]);
  });

  it("writes the updatedAt a change gives, the one its caller answers with, and now otherwise", async () => {
    const [given, defaulted] = [thing(1), thing(2)];
    await inTransaction(sequelize, (connection) => insert([given, defaulted], connection));
    const at = new Date("2026-03-04T05:06:07.089Z");
    const before = new Date();
    await inTransaction(sequelize, (connection) =>
      writes.update(
        [
          { id: given.id, status: "seen", updatedAt: at },
          { id: defaulted.id, status: "seen" },
        ],
        connection,
      ),
    );
    const [row] = await queryDatabase(database, "SELECT updated_at FROM things WHERE id = $1", [given.id]);
    expect(row.updated_at).toEqual(at);
    const [other] = await queryDatabase(database, "SELECT updated_at FROM things WHERE id = $1", [defaulted.id]);
    expect(other.updated_at.getTime()).toBeGreaterThanOrEqual(before.getTime() - 1);
  });
});
