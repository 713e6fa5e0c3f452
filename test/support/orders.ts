import type { Order } from "../../contracts/orders";
import type { Cluster } from "./cluster";
import { eventually } from "./eventually";
import { queryDatabase } from "./postgres";

export const orderBody = (customerId = "cust-1") => ({
  customerId,
  customer: { name: "Ada Lovelace", email: "ada@example.com" },
  currency: "EUR",
  items: [{ sku: "BOOK-1", quantity: 2, unitPrice: 1500 }],
});

/**
 * An order at the documented maxima that still fits the default 64 KB body: 100 items, SKUs of 64 and
 * descriptions of 500 characters, the longest customer fields.
 */
export const largestOrderBody = (customerId = "cust-1") => ({
  customerId: customerId.padEnd(64, "x"),
  customer: { name: "N".repeat(200), email: `${"e".repeat(64)}@${"d".repeat(63)}.${"d".repeat(63)}.${"d".repeat(57)}.com` },
  currency: "EUR",
  items: Array.from({ length: 100 }, (_, i) => ({
    sku: `SKU-${i}-`.padEnd(64, "s"),
    description: `Item ${i} `.padEnd(500, "d"),
    quantity: 10_000,
    unitPrice: 1_000_000_000,
  })),
});

/** POSTs `count` orders at once; every one must be accepted. */
export async function createOrders(cluster: Cluster, count: number, customerId: string): Promise<string[]> {
  const responses = await Promise.all(Array.from({ length: count }, () => cluster.http.post<Order>("/orders", orderBody(customerId))));
  expect(responses.map((r) => r.status)).toEqual(Array(count).fill(201));
  return responses.map((r) => r.body.id);
}

/**
 * The guarantee: every accepted order ends `invoiced` with exactly one invoice, no invoice exists
 * without an order, and invoice numbers stay unique and gapless.
 */
export async function expectEveryOrderInvoicedOnce(cluster: Cluster, orderIds: string[]): Promise<void> {
  await eventually(
    async () => {
      const pending = await queryDatabase(
        cluster.databases.orders,
        "SELECT id, status FROM orders WHERE id = ANY($1::uuid[]) AND status <> 'invoiced'",
        [orderIds],
      );
      expect(pending).toEqual([]);
    },
    { attempts: 600 },
  );
  const invoices = await queryDatabase<{ id: string; order_id: string; number: string }>(
    cluster.databases.invoices,
    "SELECT id, order_id, number FROM invoices",
  );
  const perOrder = new Map<string, number>();
  for (const invoice of invoices) perOrder.set(invoice.order_id, (perOrder.get(invoice.order_id) ?? 0) + 1);
  expect(orderIds.filter((id) => perOrder.get(id) !== 1)).toEqual([]);

  const orders = await queryDatabase<{ id: string; invoice_id: string }>(cluster.databases.orders, "SELECT id, invoice_id FROM orders");
  const invoiceOf = new Map(orders.map((o) => [o.id, o.invoice_id]));
  expect(invoices.filter((invoice) => !invoiceOf.has(invoice.order_id))).toEqual([]);
  expect(invoices.filter((invoice) => invoiceOf.get(invoice.order_id) !== invoice.id)).toEqual([]);

  const sequences = invoices.map((invoice) => Number(invoice.number.slice(-6))).sort((a, b) => a - b);
  expect(sequences).toEqual(Array.from({ length: invoices.length }, (_, i) => i + 1));
}
