import type { SqlMigration } from "../../../mixins/db";

/**
 * Invoices are listed by (issued_at, id), newest first (mixins/db/keyset-pages.ts): issued_at is the time
 * an invoice shows. Each index gives that order under one of the list's filters (none, customer,
 * status; an order has one invoice), so a page, by OFFSET or by a keyset seek from its anchor, reads
 * only its own rows in index order. The created_at ones served the order lists had before.
 */
export const listOrderIndexes: SqlMigration = {
  name: "006-list-order-indexes",
  up: `
    DROP INDEX invoices_created_at_idx;
    DROP INDEX invoices_customer_created_at_idx;
    CREATE INDEX invoices_issued_at_id_idx ON invoices (issued_at DESC, id DESC);
    CREATE INDEX invoices_customer_issued_at_id_idx ON invoices (customer_id, issued_at DESC, id DESC);
    CREATE INDEX invoices_status_issued_at_id_idx ON invoices (status, issued_at DESC, id DESC);
  `,
  down: `
    DROP INDEX invoices_issued_at_id_idx;
    DROP INDEX invoices_customer_issued_at_id_idx;
    DROP INDEX invoices_status_issued_at_id_idx;
    CREATE INDEX invoices_created_at_idx ON invoices (created_at DESC);
    CREATE INDEX invoices_customer_created_at_idx ON invoices (customer_id, created_at DESC);
  `,
};
