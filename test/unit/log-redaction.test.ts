import { Writable } from "node:stream";
import pino from "pino";
import { DatabaseError, UniqueConstraintError, ValidationErrorItem } from "sequelize";
import { keepLogArguments } from "../../mixins/moleculer/log-arguments";
import { serializersWithoutRowData } from "../../mixins/moleculer/log-redaction";

const CUSTOMER = "customer-secret";

/** The JSON lines a real Pino logger, set up as the nodes' is, writes; called console-style, as Moleculer does. */
function logged(...args: unknown[]): string {
  let lines = "";
  const out = new Writable({
    write(chunk, _encoding, done) {
      lines += String(chunk);
      done();
    },
  });
  const log = pino({ hooks: { logMethod: keepLogArguments }, serializers: serializersWithoutRowData }, out);
  (log.error as (...all: unknown[]) => void).apply(log, ["failed:", ...args]);
  return lines;
}

/** A pg error as the driver raises it, for a row of the customer's. */
function pgError(): Error {
  return Object.assign(new Error('duplicate key value violates unique constraint "orders_pkey"'), {
    code: "23505",
    detail: `Key (customer_id)=(${CUSTOMER}) already exists.`,
    where: `COPY orders, line 1: "${CUSTOMER},3597,EUR"`,
    internalQuery: `SELECT '${CUSTOMER}'`,
    table: "orders",
    constraint: "orders_pkey",
  });
}

/** The error the statement runner (mixins/db/sql.ts) makes of it: Sequelize's, with the SQL and its parameters. */
const statementError = () =>
  new DatabaseError(Object.assign(pgError(), { sql: `INSERT INTO orders VALUES ('${CUSTOMER}')`, parameters: [CUSTOMER] }) as never);

const WHAT_FAILED = { code: "23505", table: "orders", constraint: "orders_pkey" };

describe("serializersWithoutRowData", () => {
  it("leaves the customer's data out of a pg error's line, and keeps what failed, where, and the stack", () => {
    const line = logged(pgError());
    expect(line).not.toContain(CUSTOMER);
    expect(JSON.parse(line).err).toMatchObject({
      ...WHAT_FAILED,
      message: expect.stringContaining("orders_pkey"),
      stack: expect.stringContaining("\n    at "),
    });
  });

  it("leaves it out of the errors wrapped around it, however deep: SQL, bind parameters, fields, items", () => {
    const unique = new UniqueConstraintError({
      parent: pgError() as never,
      fields: { customer_id: CUSTOMER },
      errors: [
        new ValidationErrorItem(
          "customer_id must be unique",
          "unique violation",
          "customer_id",
          CUSTOMER,
          { customer_id: CUSTOMER } as never,
          "not_unique",
          "unique",
          [],
        ),
      ],
    } as never);
    const twiceWrapped = Object.assign(new Error("applying the batch failed"), { original: statementError() });
    for (const err of [statementError(), unique, twiceWrapped]) {
      const line = logged(err);
      expect(line).not.toContain(CUSTOMER);
      expect(line).toContain('"constraint":"orders_pkey"');
    }
  });

  it("serializes a further error among the arguments the same way", () => {
    const line = logged(new Error("first"), statementError());
    expect(line).not.toContain(CUSTOMER);
    expect(JSON.parse(line).args).toEqual([
      expect.objectContaining({ type: "DatabaseError", original: expect.objectContaining(WHAT_FAILED) }),
    ]);
  });

  it("leaves the logged error as it was", () => {
    const err = statementError();
    logged(err);
    expect(err).toMatchObject({ parameters: [CUSTOMER], original: { detail: expect.stringContaining(CUSTOMER) } });
  });

  it("writes an error that refers to itself", () => {
    const err = Object.assign(new Error("loop"), { data: {} as Record<string, unknown> });
    err.data.self = err.data;
    expect(JSON.parse(logged(err)).err.data).toEqual({ self: "[Circular]" });
  });
});
