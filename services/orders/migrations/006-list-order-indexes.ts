import type { SqlMigration } from "../../../mixins/db";

/**
 * Lists are ordered by (created_at, id), newest first (mixins/db/keyset-pages.ts). Each index gives that
 * order under one of the list's filters (none, customer, status), so a page, by OFFSET or by a keyset
 * seek from its anchor, reads only its own rows in index order. They supersede the created_at-only ones.
 */
export const listOrderIndexes: SqlMigration = {
  name: "006-list-order-indexes",
  up: `
    DROP INDEX orders_created_at_idx;
    DROP INDEX orders_customer_created_at_idx;
    DROP INDEX orders_status_created_at_idx;
    CREATE INDEX orders_created_at_id_idx ON orders (created_at DESC, id DESC);
    CREATE INDEX orders_customer_created_at_id_idx ON orders (customer_id, created_at DESC, id DESC);
    CREATE INDEX orders_status_created_at_id_idx ON orders (status, created_at DESC, id DESC);
  `,
  down: `
    DROP INDEX orders_created_at_id_idx;
    DROP INDEX orders_customer_created_at_id_idx;
    DROP INDEX orders_status_created_at_id_idx;
    CREATE INDEX orders_created_at_idx ON orders (created_at DESC);
    CREATE INDEX orders_customer_created_at_idx ON orders (customer_id, created_at DESC);
    CREATE INDEX orders_status_created_at_idx ON orders (status, created_at DESC);
  `,
};
