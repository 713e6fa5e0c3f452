import type { Invoice } from "../../contracts/invoices";
import type { Order } from "../../contracts/orders";
import type { Page } from "../../contracts/paging";
import { type Cluster, startCluster } from "../support/cluster";
import { eventually } from "../support/eventually";
import { orderBody as defaultOrder } from "../support/orders";
import { freePort } from "../support/ports";
import { listChannels, listConnections } from "../support/rabbitmq";

const orderBody = (customerId = "cust-1") => ({
  customerId,
  customer: { name: "Ada Lovelace", email: "ada@example.com" },
  currency: "EUR",
  items: [
    { sku: "BOOK-1", description: "Notes on the Analytical Engine", quantity: 2, unitPrice: 1500 },
    { sku: "PEN", quantity: 3, unitPrice: 199 },
  ],
});

let cluster: Cluster;

beforeAll(async () => {
  cluster = await startCluster();
});

afterAll(async () => {
  await cluster?.stop();
});

async function invoiceOf(orderId: string): Promise<Invoice> {
  return eventually(async () => {
    const { status, body } = await cluster.http.get<Page<Invoice>>(`/invoices?orderId=${orderId}`);
    expect(status).toBe(200);
    expect(body.rows).toHaveLength(1);
    return body.rows[0];
  });
}

describe("an order becomes an invoice across three nodes over RabbitMQ", () => {
  it("creates the order with computed totals and issues exactly one invoice for it", async () => {
    const created = await cluster.http.post<Order>("/orders", orderBody());
    expect(created.status).toBe(201);
    expect(created.headers.get("location")).toBe(`/orders/${created.body.id}`);
    expect(created.body).toMatchObject({
      customerId: "cust-1",
      currency: "EUR",
      status: "pending",
      invoiceId: null,
      total: 3597,
      items: [
        { sku: "BOOK-1", quantity: 2, unitPrice: 1500, total: 3000 },
        { sku: "PEN", description: "", quantity: 3, unitPrice: 199, total: 597 },
      ],
    });

    const invoice = await invoiceOf(created.body.id);
    expect(invoice).toMatchObject({
      orderId: created.body.id,
      customerId: "cust-1",
      billTo: { name: "Ada Lovelace", email: "ada@example.com" },
      currency: "EUR",
      lines: created.body.items,
      total: 3597,
      status: "open",
    });
    expect(invoice.number).toMatch(new RegExp(`^INV-${new Date(invoice.issuedAt).getUTCFullYear()}-\\d{6}$`));
    const termsMs = new Date(invoice.dueAt).getTime() - new Date(invoice.issuedAt).getTime();
    expect(termsMs).toBe(30 * 24 * 60 * 60 * 1000);

    const order = await eventually(async () => {
      const { body } = await cluster.http.get<Order>(`/orders/${created.body.id}`);
      expect(body.status).toBe("invoiced");
      return body;
    });
    expect(order.invoiceId).toBe(invoice.id);

    const byId = await cluster.http.get<Invoice>(`/invoices/${invoice.id}`);
    expect(byId.status).toBe(200);
    expect(byId.body).toEqual(invoice);
  });

  it("gives a burst of concurrent orders one invoice each, numbered without gaps or duplicates", async () => {
    const responses = await Promise.all(Array.from({ length: 25 }, () => cluster.http.post<Order>("/orders", orderBody("burst"))));
    expect(responses.map((r) => r.status)).toEqual(Array(25).fill(201));

    const invoices = await Promise.all(responses.map((r) => invoiceOf(r.body.id)));
    expect(new Set(invoices.map((i) => i.orderId)).size).toBe(25);

    const all = await cluster.http.get<Page<Invoice>>("/invoices?pageSize=100");
    const sequences = all.body.rows.map((i) => Number(i.number.slice(-6))).sort((a, b) => a - b);
    expect(all.body.total).not.toBeNull();
    expect(sequences).toEqual(Array.from({ length: all.body.total! }, (_, i) => i + 1));

    await eventually(async () => {
      const { body } = await cluster.http.get<Page<Order>>("/orders?customerId=burst&status=pending");
      expect(body.total).toBe(0);
    });
  });

  it("lists orders newest first, filtered and paged", async () => {
    const first = await cluster.http.post<Order>("/orders", orderBody("pager"));
    const second = await cluster.http.post<Order>("/orders", orderBody("pager"));
    const third = await cluster.http.post<Order>("/orders", orderBody("pager"));

    const page1 = await cluster.http.get<Page<Order>>("/orders?customerId=pager&pageSize=2");
    expect(page1.status).toBe(200);
    expect(page1.body).toMatchObject({ total: 3, page: 1, pageSize: 2, totalPages: 2, hasMore: true });
    expect(page1.body.rows.map((o) => o.id)).toEqual([third.body.id, second.body.id]);

    const page2 = await cluster.http.get<Page<Order>>("/orders?customerId=pager&pageSize=2&page=2");
    expect(page2.body.rows.map((o) => o.id)).toEqual([first.body.id]);
    expect(page2.body.hasMore).toBe(false);
  });

  it("answers health, readiness (with consistency reports) and its OpenAPI document", async () => {
    expect(await cluster.http.get("/health")).toMatchObject({ status: 200, body: { status: "ok" } });
    expect(await cluster.http.get("/ready")).toMatchObject({
      status: 200,
      body: {
        status: "ready",
        services: { orders: "up", invoices: "up" },
        consistency: {
          orders: { outbox: { parked: 0 }, ordersWithoutInvoice: 0 },
          invoices: { outbox: { parked: 0 } },
        },
      },
    });
    expect(await cluster.http.get("/openapi.json")).toMatchObject({ status: 200, body: { openapi: "3.1.0" } });
  });

  it("connects every node to RabbitMQ with a prefetch of 100", async () => {
    const connections = await listConnections(cluster.vhost);
    expect(connections.length).toBeGreaterThanOrEqual(3);
    const channels = await listChannels(cluster.vhost);
    expect(channels.length).toBeGreaterThan(0);
    expect(new Set(channels.map((c) => c.prefetch_count))).toEqual(new Set(["100"]));
  });

  it("serves Prometheus metrics per node: requests per action and the outbox gauges", async () => {
    const port = await freePort();
    await cluster.startNode("orders-metrics", "orders", { METRICS_PORT: String(port) });
    const metrics = await eventually(async () => {
      // Calls are balanced over both orders nodes, once the gateway knows the new one.
      for (let i = 0; i < 4; i++) expect((await cluster.http.post("/orders", defaultOrder("metrics"))).status).toBe(201);
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(text).toMatch(/moleculer_request_total\{[^}]*action="orders\.create"[^}]*\} [1-9]/);
      expect(text).toMatch(/moleculer_request_time_bucket\{[^}]*action="orders\.create"/);
      expect(text).toMatch(/outbox_pending\{[^}]*service="orders"[^}]*\} \d+/);
      return text;
    });
    expect(metrics).toMatch(/outbox_parked\{[^}]*service="orders"[^}]*\} 0/);
    expect(metrics).toMatch(/outbox_stuck\{[^}]*service="orders"[^}]*\} 0/);
    await cluster.stopNode("orders-metrics");
  });

  it("keeps internal actions off HTTP", async () => {
    for (const path of ["/api/orders/ready", "/orders.create", "/$node/list", "/orders/ready/x", "/invoices.list"]) {
      const { status } = await cluster.http.get(path);
      expect([404, 422]).toContain(status);
      expect(status).not.toBe(200);
    }
    // A known path asked with a method it lacks: refused, with what it does take.
    const deleted = await cluster.http.raw("DELETE", "/orders");
    expect({ status: deleted.status, allow: deleted.headers.get("allow") }).toEqual({ status: 405, allow: "GET, HEAD, OPTIONS, POST" });
  });
});
