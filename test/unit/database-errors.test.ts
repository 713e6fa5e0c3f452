import { Errors } from "moleculer";
import { ConnectionRefusedError, DatabaseError, UniqueConstraintError } from "sequelize";
import { toServiceError } from "../../mixins/database-errors";

const pgError = (code: string) => Object.assign(new Error(`pg ${code}`), { code, sql: "SELECT 1", parameters: [] });

describe("toServiceError", () => {
  it.each([
    ["a refused connection", new ConnectionRefusedError(pgError("ECONNREFUSED") as never)],
    ["an administrator shutdown (57P01)", new DatabaseError(pgError("57P01") as never)],
    ["a connection failure (08006)", new DatabaseError(pgError("08006") as never)],
    ["too many connections (53300)", new DatabaseError(pgError("53300") as never)],
  ])("turns %s into a retryable 503", (_name, err) => {
    const mapped = toServiceError(err);
    expect(mapped).toBeInstanceOf(Errors.MoleculerRetryableError);
    expect(mapped).toMatchObject({ code: 503, type: "DATABASE_UNAVAILABLE" });
  });

  it.each([
    ["a syntax error (42601)", new DatabaseError(pgError("42601") as never)],
    ["a unique violation", new UniqueConstraintError({})],
    ["a client error", new Errors.MoleculerClientError("nope", 409, "ILLEGAL_TRANSITION")],
  ])("leaves %s as it is", (_name, err) => {
    expect(toServiceError(err)).toBe(err);
  });
});
