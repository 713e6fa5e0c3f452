import type { SqlMigration } from "../../../mixins/db";

/** Keeps the consistency report's "orders without an invoice" count off a full scan. */
export const uninvoicedIndex: SqlMigration = {
  name: "003-uninvoiced-index",
  up: `CREATE INDEX orders_uninvoiced_idx ON orders (created_at) WHERE invoice_id IS NULL;`,
  down: `DROP INDEX orders_uninvoiced_idx;`,
};
