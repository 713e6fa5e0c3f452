import { Sequelize, type WhereOptions } from "sequelize";
import { between } from "../../mixins/db/db.mixin";
import { countUpToSql } from "../../mixins/db/keyset-pages";
import { orderAttributes } from "../../services/orders/order.model";

/**
 * The bounded count of a page by number, as SQL: Sequelize writes its condition through a query-generator
 * method its typings leave out, so an upgrade that changed it would show here first. No connection is made.
 */
const sequelize = new Sequelize("postgres://nobody@127.0.0.1:1/none", { logging: false });
const model = sequelize.define("orders", orderAttributes, { tableName: "orders", underscored: true, timestamps: true });
const count = (where: WhereOptions) => countUpToSql(model, where, 10_000);

afterAll(() => sequelize.close());

it("without filters, counts the table up to the bound", () => {
  expect(count({})).toBe('SELECT count(*)::int AS count FROM (SELECT 1 FROM "orders"  LIMIT 10001) AS matching');
});

it("names the columns, not the attributes, and escapes each value into the statement", () => {
  expect(count({ customerId: "a'b:c?$1", status: "pending" })).toBe(
    `SELECT count(*)::int AS count FROM (SELECT 1 FROM "orders" WHERE "status" = 'pending' AND "customer_id" = 'a''b:c?$1' LIMIT 10001) AS matching`,
  );
});

it("writes a time range as the list's own condition on created_at", () => {
  const sql = count({ createdAt: between(new Date("2026-01-01T00:00:00Z"), new Date("2026-02-01T00:00:00Z")) });
  expect(sql).toBe(
    `SELECT count(*)::int AS count FROM (SELECT 1 FROM "orders" WHERE ("created_at" >= '2026-01-01 00:00:00.000 +00:00' AND "created_at" < '2026-02-01 00:00:00.000 +00:00') LIMIT 10001) AS matching`,
  );
});
