import { query } from "./postgres-admin";

/**
 * `--seed-rows N`: the tables as after a long life, written straight into the databases with
 * `generate_series` (a million rows in seconds, not through the API): N orders, each invoiced, of
 * 10,000 customers (the bench's own orders are `cust-42`'s), created one second apart up to a day ago.
 * Row i's ids are a v4-shaped digest of i, so the bench knows ids deep in every list without asking.
 */
const id = (kind: "order" | "invoice", i: string) =>
  `overlay(overlay(md5('${kind}-' || ${i}) placing '4' from 13) placing '8' from 17)::uuid`;

const PARTY = `'{"name":"Seed Customer","email":"seed@example.com"}'`;
const ITEMS = `'[{"sku":"SEED","description":"","quantity":1,"unitPrice":1000,"total":1000}]'`;
const CREATED = "now() - interval '1 day' - i * interval '1 second'";

/** The ids of seeded orders (invoices) `i`, 1 … N. */
export async function seededIds(database: string, kind: "order" | "invoice", rows: number[]): Promise<string[]> {
  const found = await query<{ id: string }>(database, `SELECT ${id(kind, "i")} AS id FROM unnest($1::int[]) AS i`, [rows]);
  return found.map((row) => row.id);
}

export async function seedInvoicedOrders(databases: { orders: string; invoices: string }, rows: number): Promise<void> {
  await Promise.all([
    query(
      databases.orders,
      `INSERT INTO orders (id, customer_id, customer, currency, items, total, status, invoice_id, created_at, updated_at)
       SELECT ${id("order", "i")}, 'cust-' || (i % 10000), ${PARTY}, 'EUR', ${ITEMS}, 1000, 'invoiced', ${id("invoice", "i")},
              ${CREATED}, ${CREATED}
       FROM generate_series(1, $1::int) AS i`,
      [rows],
    ),
    query(
      databases.invoices,
      // Numbers of a past year: the system's own numbering of this year starts at 1 as usual.
      `INSERT INTO invoices (id, number, order_id, customer_id, bill_to, currency, lines, total, status, issued_at, due_at,
                             created_at, updated_at)
       SELECT ${id("invoice", "i")}, 'INV-2000-' || lpad(i::text, 7, '0'), ${id("order", "i")}, 'cust-' || (i % 10000), ${PARTY},
              'EUR', ${ITEMS}, 1000, 'open', ${CREATED}, ${CREATED} + interval '30 days', ${CREATED}, ${CREATED}
       FROM generate_series(1, $1::int) AS i`,
      [rows],
    ),
  ]);
  await Promise.all([query(databases.orders, "VACUUM ANALYZE orders"), query(databases.invoices, "VACUUM ANALYZE invoices")]);
  // The load is then measured on its own, not with the writing-out of a million rows' pages (a
  // checkpoint is the whole server's: asked through either database).
  await query(databases.orders, "CHECKPOINT");
}
