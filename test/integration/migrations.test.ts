import { Sequelize } from "sequelize";
import { SequelizeStorage, Umzug } from "umzug";
import { migrate, type SqlMigration } from "../../mixins/db/migrations";
import { runId } from "../support/environment";
import { createDatabases, databaseUrl, dropDatabases, queryDatabase } from "../support/postgres";

// Migrations against the real PostgreSQL: a change and its record commit together, a run that fails
// leaves nothing of itself, and databases migrated before (by umzug's SequelizeStorage) stay as they are.
const databases: string[] = [];
const connections: Sequelize[] = [];

afterAll(async () => {
  await Promise.all(connections.map((sequelize) => sequelize.close()));
  await dropDatabases(databases);
});

/** A fresh database of the test's own, and a connection to it. */
async function freshDatabase(): Promise<{ database: string; sequelize: Sequelize }> {
  const database = `${runId()}_migrations`;
  await createDatabases([database]);
  databases.push(database);
  const sequelize = new Sequelize(databaseUrl(database), { logging: false });
  connections.push(sequelize);
  return { database, sequelize };
}

/** Migration `001-a` creates table `t001_a`. */
const table = (name: string): SqlMigration => ({ name, up: `CREATE TABLE t${name.replace(/\W/g, "_")} (id int)`, down: "" });

/** The tables the database has, besides the record. */
const tables = async (database: string) =>
  (
    await queryDatabase<{ name: string }>(
      database,
      "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_migrations' ORDER BY 1",
    )
  ).map((row) => row.name);

const recorded = async (database: string) => {
  const [{ exists }] = await queryDatabase(database, "SELECT to_regclass('schema_migrations') IS NOT NULL AS exists");
  if (!exists) return [];
  return (await queryDatabase<{ name: string }>(database, "SELECT name FROM schema_migrations ORDER BY name")).map((row) => row.name);
};

describe("migrate", () => {
  it("applies and records a run's migrations; one that fails part-way leaves nothing of the run, and the fixed run applies it", async () => {
    const { database, sequelize } = await freshDatabase();
    const broken: SqlMigration = {
      name: "002-b",
      up: "CREATE TABLE t002_b (id int); INSERT INTO t002_b SELECT id FROM no_such_table",
      down: "DROP TABLE t002_b",
    };
    await expect(migrate(sequelize, [table("001-a"), broken], "test")).rejects.toMatchObject({
      type: "MIGRATION_FAILED",
      message: expect.stringMatching(/^Migration 002-b failed, so none of this run's migrations was applied: .*no_such_table/),
      data: { migration: "002-b" },
    });
    expect(await tables(database)).toEqual([]);
    expect(await recorded(database)).toEqual([]);

    const fixed = { ...broken, up: "CREATE TABLE t002_b (id int)" };
    expect(await migrate(sequelize, [table("001-a"), fixed], "test")).toEqual(["001-a", "002-b"]);
    expect(await tables(database)).toEqual(["t001_a", "t002_b"]);
    expect(await recorded(database)).toEqual(["001-a", "002-b"]);
  });

  it("never applies a change it cannot record", async () => {
    const { database, sequelize } = await freshDatabase();
    // A name longer than the record's column: the change runs, then its record fails.
    const unrecordable = { ...table("002-c"), name: `002-${"c".repeat(255)}` };
    await expect(migrate(sequelize, [table("001-a"), unrecordable], "test")).rejects.toMatchObject({
      type: "MIGRATION_FAILED",
      data: { migration: unrecordable.name },
    });
    expect(await tables(database)).toEqual([]);
    expect(await recorded(database)).toEqual([]);
  });

  it("leaves a database migrated by umzug's SequelizeStorage as it is, and goes on from there", async () => {
    const { database, sequelize } = await freshDatabase();
    const before = new Umzug({
      migrations: [table("001-a"), table("002-b")].map((m) => ({ name: m.name, up: () => sequelize.query(m.up) })),
      storage: new SequelizeStorage({ sequelize, tableName: "schema_migrations" }),
      logger: undefined,
    });
    await before.up();
    await queryDatabase(database, "INSERT INTO t001_a VALUES (1)");

    // Re-running either would fail: the tables exist.
    expect(await migrate(sequelize, [table("001-a"), table("002-b")], "test")).toEqual([]);
    expect(await migrate(sequelize, [table("001-a"), table("002-b"), table("003-c")], "test")).toEqual(["003-c"]);
    expect(await recorded(database)).toEqual(["001-a", "002-b", "003-c"]);
    expect(await queryDatabase(database, "SELECT id FROM t001_a")).toEqual([{ id: 1 }]);
  });

  it("applies each migration once when two instances start at the same time", async () => {
    const { database, sequelize } = await freshDatabase();
    const other = new Sequelize(databaseUrl(database), { logging: false });
    connections.push(other);
    const migrations = [table("001-a"), table("002-b")];
    const runs = await Promise.all([migrate(sequelize, migrations, "test"), migrate(other, migrations, "test")]);
    expect(runs.flat().sort()).toEqual(["001-a", "002-b"]);
    expect(await recorded(database)).toEqual(["001-a", "002-b"]);
  });
});
