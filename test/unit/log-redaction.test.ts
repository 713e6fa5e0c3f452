import { Writable } from "node:stream";
import pino from "pino";
import { DatabaseError, UniqueConstraintError, ValidationErrorItem } from "sequelize";
import { withoutRowData } from "../../mixins/moleculer/log-redaction";

/** The JSON line a real Pino logger, redacting as the nodes do, writes for `err`. */
function lineFor(err: Error): string {
  let line = "";
  const out = new Writable({
    write(chunk, _encoding, done) {
      line += String(chunk);
      done();
    },
  });
  pino({ redact: withoutRowData }, out).error({ err }, "failed");
  return line;
}

/** A pg error as the driver raises it, for a row of `customer`'s. */
function pgError(customer: string): Error {
  return Object.assign(new Error('duplicate key value violates unique constraint "orders_pkey"'), {
    code: "23505",
    detail: `Key (customer_id)=(${customer}) already exists.`,
    where: `COPY orders, line 1: "${customer},3597,EUR"`,
    internalQuery: `SELECT '${customer}'`,
    table: "orders",
    constraint: "orders_pkey",
    sql: "INSERT INTO orders (customer_id) VALUES ($1)",
  });
}

describe("withoutRowData", () => {
  it("leaves the customer's data out of a pg error's line, and keeps what failed and where", () => {
    const line = lineFor(pgError("customer-secret"));
    expect(line).not.toContain("customer-secret");
    expect(JSON.parse(line).err).toMatchObject({
      message: expect.stringContaining("orders_pkey"),
      code: "23505",
      table: "orders",
      constraint: "orders_pkey",
      stack: expect.stringContaining("\n    at "),
    });
  });

  it("leaves it out of the errors Sequelize wraps around it: bind parameters, SQL, fields, items", () => {
    const original = pgError("customer-secret");
    const wrapped = new DatabaseError(original as never, { parameters: ["customer-secret"] } as never);
    const unique = new UniqueConstraintError({
      parent: original as never,
      fields: { customer_id: "customer-secret" },
      errors: [
        new ValidationErrorItem(
          "customer_id must be unique",
          "unique violation",
          "customer_id",
          "customer-secret",
          null as never,
          "not_unique",
          "unique",
          [],
        ),
      ],
    } as never);
    for (const err of [wrapped, unique]) {
      const line = lineFor(err);
      expect(line).not.toContain("customer-secret");
      expect(JSON.parse(line).err).toMatchObject({ original: { code: "23505", constraint: "orders_pkey" } });
    }
  });
});
