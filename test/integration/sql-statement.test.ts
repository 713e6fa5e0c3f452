import { Errors } from "moleculer";
import { DatabaseError, Sequelize } from "sequelize";
import { toServiceError } from "../../mixins/db/errors";
import { allAtOnce, SqlStatement, withConnection } from "../../mixins/db/sql";
import { Units } from "../../mixins/units/unit-of-work";
import { runId } from "../support/environment";
import { eventually } from "../support/eventually";
import { createDatabases, databaseUrl, dropDatabases, inTransaction, queryDatabase } from "../support/postgres";

// Statements sent by the pg client itself, against the real PostgreSQL.
const database = `${runId()}_statements`;
let sequelize: Sequelize;

beforeAll(async () => {
  await createDatabases([database]);
  sequelize = new Sequelize(databaseUrl(database), { logging: false });
  await sequelize.query("CREATE TABLE notes (id integer PRIMARY KEY, body text NOT NULL); CREATE TABLE tags (id integer PRIMARY KEY)");
});

afterAll(async () => {
  await sequelize?.close();
  await dropDatabases([database]);
});

const note = new SqlStatement((param) => `INSERT INTO notes (id, body) VALUES (${param(1)}, ${param(2)})`, { prepareAs: "note" });
const tag = new SqlStatement((param) => `INSERT INTO tags (id) VALUES (${param(1)})`, { prepareAs: "tag" });
const rows = async () => ({
  notes: await queryDatabase(database, "SELECT id, body FROM notes ORDER BY id"),
  tags: await queryDatabase(database, "SELECT id FROM tags ORDER BY id"),
});

describe("allAtOnce", () => {
  beforeEach(() => queryDatabase(database, "TRUNCATE notes, tags"));

  it("runs several INSERTs as one statement, each with its own parameters", async () => {
    const { statement, values } = allAtOnce([
      { statement: note, values: [1, "first"] },
      { statement: tag, values: [7] },
    ]);
    expect(statement.text).toBe(
      "WITH s0 AS (INSERT INTO notes (id, body) VALUES ($1, $2)), s1 AS (INSERT INTO tags (id) VALUES ($3)) SELECT txid_current()::text AS xid",
    );
    expect(statement.options.prepareAs).toBe("note + tag");
    await statement.runAlone(sequelize, values);
    expect(await rows()).toEqual({ notes: [{ id: 1, body: "first" }], tags: [{ id: 7 }] });
  });

  it("answers with the id of the transaction it ran in, whose outcome PostgreSQL can tell later", async () => {
    const [{ xid }] = await inTransaction(sequelize, (connection) =>
      allAtOnce([{ statement: note, values: [5, "kept"] }]).statement.run(connection, [5, "kept"]),
    );
    expect(await queryDatabase(database, "SELECT txid_status($1::bigint) AS status", [xid])).toEqual([{ status: "committed" }]);
  });

  it("combines only statements written with param(n): a plain text is refused, not renumbered", () => {
    const plain = new SqlStatement("INSERT INTO tags (id) VALUES ($1)");
    expect(() =>
      allAtOnce([
        { statement: note, values: [1, "x"] },
        { statement: plain, values: [2] },
      ]),
    ).toThrow(/param\(n\)/);
  });

  it("writes all or nothing", async () => {
    await queryDatabase(database, "INSERT INTO tags (id) VALUES (7)");
    const { statement, values } = allAtOnce([
      { statement: note, values: [2, "second"] },
      { statement: tag, values: [7] },
    ]);
    const failed = await statement.runAlone(sequelize, values).catch((err: unknown) => err);
    expect(failed).toBeInstanceOf(DatabaseError);
    expect((failed as DatabaseError).original).toMatchObject({ code: "23505" }); // unique_violation
    expect(await rows()).toEqual({ notes: [], tags: [{ id: 7 }] });
  });
});

describe("SqlStatement", () => {
  it("prepares two statements whose long names differ only past PostgreSQL's 63 bytes as two", async () => {
    const long = 'insert "orders" ('.padEnd(70, "x");
    const one = new SqlStatement("SELECT 1 AS n", { prepareAs: `${long}, one)` });
    const two = new SqlStatement("SELECT 2 AS n", { prepareAs: `${long}, two)` });
    await withConnection(sequelize, async (client) => {
      expect(await one.run(client, [])).toEqual([{ n: 1 }]);
      expect(await two.run(client, [])).toEqual([{ n: 2 }]);
    });
  });

  it("fails with a database gone from under it as every query does: a retryable 503 for the caller", async () => {
    const failed = await inTransaction(sequelize, async (connection) => {
      const [{ pid }] = await new SqlStatement<{ pid: number }>("SELECT pg_backend_pid() AS pid").run(connection, []);
      await queryDatabase(database, "SELECT pg_terminate_backend($1)", [pid]);
      await note.run(connection, [3, "lost"]);
    }).catch((err: unknown) => err);
    const answered = toServiceError(failed);
    expect(answered).toBeInstanceOf(Errors.MoleculerRetryableError);
    expect(answered).toMatchObject({ code: 503, type: "DATABASE_UNAVAILABLE" });
  });
});

describe("withConnection", () => {
  const PID = new SqlStatement<{ pid: number }>("SELECT pg_backend_pid() AS pid");

  it("closes a connection left inside a transaction instead of handing it to the next caller", async () => {
    const pid = await withConnection(sequelize, async (client) => {
      await client.query("BEGIN");
      return (await PID.run(client, []))[0].pid;
    });
    await eventually(async () => {
      expect(await queryDatabase(database, "SELECT pid FROM pg_stat_activity WHERE pid = $1", [pid])).toEqual([]);
    });
    const status = await withConnection(sequelize, async (client) => client.getTransactionStatus());
    expect(status).toBe("I");
  });

  it("pools a connection handed back idle", async () => {
    const first = await withConnection(sequelize, async (client) => (await PID.run(client, []))[0].pid);
    expect(await queryDatabase(database, "SELECT pid FROM pg_stat_activity WHERE pid = $1", [first])).toEqual([{ pid: first }]);
  });
});

describe("Units.transact", () => {
  const nothingToClose = { insertion: () => undefined, addition: () => undefined };
  // Made once the database is there (beforeAll).
  const units = () =>
    new Units(sequelize, { table: nothingToClose as never, outbox: nothingToClose as never, outboxDueInMs: 0, committed: () => undefined });

  it("commits nothing of a work that swallowed a failed statement, and says so", async () => {
    const failed = await units()
      .transact(async (unit) => {
        await note.run(unit.connection, [40, "before the failure"]);
        await new SqlStatement("SELECT 1 / 0").run(unit.connection, []).catch(() => undefined);
      })
      .catch((err: unknown) => err);
    expect(String(failed)).toMatch(/failed unseen: nothing was committed/);
    expect(await queryDatabase(database, "SELECT id FROM notes WHERE id = 40")).toEqual([]);
  });

  it("commits the work's statements together", async () => {
    await units().transact(async (unit) => {
      await note.run(unit.connection, [41, "one"]);
      await note.run(unit.connection, [42, "two"]);
    });
    expect(await queryDatabase(database, "SELECT id FROM notes WHERE id IN (41, 42) ORDER BY id")).toEqual([{ id: 41 }, { id: 42 }]);
  });
});
