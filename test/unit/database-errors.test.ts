import { Errors } from "moleculer";
import { ConnectionRefusedError, DatabaseError, UniqueConstraintError } from "sequelize";
import { databaseReason, isLostConnection, isSpentSession, isTransient, toServiceError } from "../../mixins/db/errors";
import { retryTransient } from "../../mixins/units/transient-retry";

const pgError = (code: string) => Object.assign(new Error(`pg ${code}`), { code, sql: "SELECT 1", parameters: [] });

describe("toServiceError", () => {
  it.each([
    ["a refused connection", new ConnectionRefusedError(pgError("ECONNREFUSED") as never)],
    ["an administrator shutdown (57P01)", new DatabaseError(pgError("57P01") as never)],
    ["a connection failure (08006)", new DatabaseError(pgError("08006") as never)],
    ["too many connections (53300)", new DatabaseError(pgError("53300") as never)],
    ["a full disk (53100)", new DatabaseError(pgError("53100") as never)],
    ["a read-only server (25006)", new DatabaseError(pgError("25006") as never)],
    ["a cancelled statement (57014)", new DatabaseError(pgError("57014") as never)],
    ["an I/O error (58030)", new DatabaseError(pgError("58030") as never)],
    ["a pool closed as the node stops", new Error("ConnectionManager.getConnection was called after the connection manager was closed!")],
  ])("turns %s into a retryable 503", (_name, err) => {
    const mapped = toServiceError(err);
    expect(mapped).toBeInstanceOf(Errors.MoleculerRetryableError);
    expect(mapped).toMatchObject({ code: 503, type: "DATABASE_UNAVAILABLE" });
    // for the node's log line: what the database said
    expect(databaseReason(mapped)).toContain((err as Error).message);
  });

  it("keeps the database's SQLSTATE for the log line of a full disk", () => {
    expect(databaseReason(toServiceError(new DatabaseError(pgError("53100") as never)))).toBe("53100 pg 53100");
    expect(databaseReason(new Errors.MoleculerClientError("nope", 409, "ILLEGAL_TRANSITION"))).toBeUndefined();
  });

  it.each([
    ["a deadlock (40P01)", new DatabaseError(pgError("40P01") as never)],
    ["a serialization failure (40001)", new DatabaseError(pgError("40001") as never)],
  ])("turns %s that outlived its retries into a retryable 503 DATABASE_BUSY", (_name, err) => {
    expect(isTransient(err)).toBe(true);
    expect(toServiceError(err)).toMatchObject({ code: 503, type: "DATABASE_BUSY", retryable: true });
  });

  it.each([
    [
      "a socket closed under a query",
      new DatabaseError(Object.assign(new Error("Connection terminated unexpectedly"), { sql: "COMMIT" }) as never),
      true,
    ],
    ["a session ended by the server (57P01)", new DatabaseError(pgError("57P01") as never), true],
    ["a reset socket", Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }), true],
    ["a unique violation", new UniqueConstraintError({}), false],
    ["a deadlock", new DatabaseError(pgError("40P01") as never), false],
    ["a cancelled statement (57014)", new DatabaseError(pgError("57014") as never), false],
  ])("tells %s lost the connection: %s", (_name, err, lost) => {
    expect(isLostConnection(err)).toBe(lost);
  });

  it.each([
    ["a read-only server (25006): a new connection may reach the new primary", new DatabaseError(pgError("25006") as never), true],
    ["a lost session", new DatabaseError(pgError("57P01") as never), true],
    ["a full disk (53100)", new DatabaseError(pgError("53100") as never), false],
    ["a deadlock", new DatabaseError(pgError("40P01") as never), false],
  ])("tells whether a connection is spent after %s: %s", (_name, err, spent) => {
    expect(isSpentSession(err)).toBe(spent);
  });

  it.each([
    ["a syntax error (42601)", new DatabaseError(pgError("42601") as never)],
    ["a value out of range (22003)", new DatabaseError(pgError("22003") as never)],
    ["a unique violation", new UniqueConstraintError({})],
    ["a client error", new Errors.MoleculerClientError("nope", 409, "ILLEGAL_TRANSITION")],
  ])("leaves %s as it is", (_name, err) => {
    expect(toServiceError(err)).toBe(err);
  });
});

describe("retryTransient", () => {
  const deadlock = () => new DatabaseError(pgError("40P01") as never);

  it("runs the work again after a lost race or a connection broken before the commit, and returns its result", async () => {
    let runs = 0;
    const result = await retryTransient(async () => {
      runs++;
      if (runs === 1) throw deadlock();
      if (runs === 2) throw new ConnectionRefusedError(pgError("ECONNREFUSED") as never);
      return "done";
    });
    expect({ result, runs }).toEqual({ result: "done", runs: 3 });
  });

  it("gives up after the attempts allowed, and never retries anything else", async () => {
    let runs = 0;
    await expect(
      retryTransient(
        async () => {
          runs++;
          throw deadlock();
        },
        { attempts: 4, baseMs: 1 },
      ),
    ).rejects.toBeInstanceOf(DatabaseError);
    expect(runs).toBe(4);
    runs = 0;
    await expect(
      retryTransient(async () => {
        runs++;
        throw new UniqueConstraintError({});
      }),
    ).rejects.toBeInstanceOf(UniqueConstraintError);
    expect(runs).toBe(1);
  });
});
