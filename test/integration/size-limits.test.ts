import { randomUUID } from "node:crypto";
import type { Invoice } from "../../contracts/invoices";
import type { Order } from "../../contracts/orders";
import type { Page } from "../../contracts/paging";
import { type Cluster, startCluster } from "../support/cluster";
import { eventually } from "../support/eventually";
import { createOrders, expectEveryOrderInvoicedOnce, largestOrderBody } from "../support/orders";
import { injectIntoOrdersOutbox } from "../support/outbox";
import { queryDatabase } from "../support/postgres";

/**
 * Orders at the documented maxima, in a burst, on both transporters: every batch that crosses the
 * transporter (the gateway's calls, the events, the acknowledgements, the replies, the list pages)
 * must fit what it carries, whatever a legal client sends.
 */
describe.each(["tcp", "amqp"] as const)("orders at the documented maxima over %s", (transport) => {
  let cluster: Cluster;

  beforeAll(async () => {
    cluster = await startCluster({}, { transport });
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it("a burst of the largest orders: each accepted, each invoiced once", async () => {
    const body = JSON.stringify(largestOrderBody("largest"));
    const responses = await Promise.all(
      Array.from({ length: 120 }, () => cluster.http.raw("POST", "/orders", { body, headers: { "content-type": "application/json" } })),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(120).fill(201));
    await expectEveryOrderInvoicedOnce(
      cluster,
      responses.map((r) => r.body.id),
    );
  });

  it("a full page of the largest orders and invoices", async () => {
    const customerId = largestOrderBody("largest").customerId;
    const orders = await cluster.http.get<Page<Order>>(`/orders?customerId=${customerId}&pageSize=100`);
    expect(orders.status).toBe(200);
    expect(orders.body.rows).toHaveLength(100);
    expect(orders.body.rows[0].items).toHaveLength(100);
    const invoices = await eventually(async () => {
      const page = await cluster.http.get<Page<Invoice>>(`/invoices?customerId=${customerId}&pageSize=100&page=2`);
      expect(page.status).toBe(200);
      expect(page.body.rows).toHaveLength(20);
      return page.body;
    });
    expect(invoices.total).toBe(120);
  });

  it("a message too large for any packet is parked with its size, not sent again and again; the others flow", async () => {
    const id = await injectIntoOrdersOutbox(cluster.databases.orders, "order.created", {
      orderId: randomUUID(),
      padding: "x".repeat(17 * 1024 * 1024),
    });
    const ids = await createOrders(cluster, 10, "beside-oversized");
    await expectEveryOrderInvoicedOnce(cluster, ids);
    const [row] = await eventually(async () => {
      const rows = await queryDatabase(
        cluster.databases.orders,
        "SELECT parked_at, last_error FROM outbox WHERE id = $1 AND parked_at IS NOT NULL",
        [id],
      );
      expect(rows).toHaveLength(1);
      return rows;
    });
    expect(row.last_error).toMatch(/^\d+ bytes: larger than the \d+ bytes a transporter packet carries$/);
    const ready = await cluster.http.get("/ready");
    expect(ready.status).toBe(200);
    expect(ready.body.consistency.orders.outbox.parked).toBe(1);
  });
});
