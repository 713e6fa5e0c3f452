import type { Order } from "../../contracts/orders";
import { type Cluster, startCluster } from "../support/cluster";
import { eventually } from "../support/eventually";
import { orderBody } from "../support/orders";
import { queryDatabase } from "../support/postgres";

let cluster: Cluster;

beforeAll(async () => {
  cluster = await startCluster();
});

afterAll(async () => {
  await cluster?.stop();
});

const post = (body: unknown, key?: string) =>
  cluster.http.raw("POST", "/orders", {
    body: JSON.stringify(body),
    headers: { "content-type": "application/json", ...(key ? { "idempotency-key": key } : {}) },
  });

const ordersOf = (customerId: string) =>
  queryDatabase(cluster.databases.orders, "SELECT id FROM orders WHERE customer_id = $1", [customerId]);

describe("POST /orders with an Idempotency-Key", () => {
  it("replays the first response to a retry, with one order and one invoice", async () => {
    const first = await post(orderBody("retry"), "key-retry");
    const retry = await post(orderBody("retry"), "key-retry");
    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers.get("location")).toBe(`/orders/${(first.body as Order).id}`);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    expect(await ordersOf("retry")).toHaveLength(1);
    await eventually(async () => {
      const invoices = await queryDatabase(cluster.databases.invoices, "SELECT id FROM invoices WHERE customer_id = 'retry'");
      expect(invoices).toHaveLength(1);
    });
  });

  it("replays to the same request with its JSON keys in another order, byte for byte", async () => {
    const body = orderBody("reordered");
    const reordered = {
      items: body.items.map((item) => Object.fromEntries(Object.entries(item).reverse())),
      currency: body.currency,
      customer: Object.fromEntries(Object.entries(body.customer).reverse()),
      customerId: body.customerId,
    };
    const send = (json: unknown) =>
      fetch(`${cluster.baseUrl}/orders`, {
        method: "POST",
        body: JSON.stringify(json),
        headers: { "content-type": "application/json", "idempotency-key": "key-reordered" },
      });
    const first = await send(body);
    const retry = await send(reordered);
    expect([first.status, retry.status]).toEqual([201, 201]);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect(await retry.text()).toBe(await first.text());
    expect(await ordersOf("reordered")).toHaveLength(1);
  });

  it("replays a cancellation byte for byte instead of a 409", async () => {
    const created = await post(orderBody("cancel-replay"));
    const cancel = () =>
      fetch(`${cluster.baseUrl}/orders/${(created.body as Order).id}/cancel`, {
        method: "POST",
        headers: { "idempotency-key": "key-cancel-replay" },
      });
    const first = await cancel();
    const retry = await cancel();
    expect([first.status, retry.status]).toEqual([200, 200]);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect(await retry.text()).toBe(await first.text());
  });

  it("turns concurrent duplicates into one order", async () => {
    const responses = await Promise.all(Array.from({ length: 10 }, () => post(orderBody("concurrent"), "key-concurrent")));
    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(201));
    expect(new Set(responses.map((r) => (r.body as Order).id)).size).toBe(1);
    expect(await ordersOf("concurrent")).toHaveLength(1);
  });

  it("answers 409 to the same key with another body, and writes nothing", async () => {
    expect((await post(orderBody("mismatch"), "key-mismatch")).status).toBe(201);
    const other = await post({ ...orderBody("mismatch"), currency: "USD" }, "key-mismatch");
    expect(other.status).toBe(409);
    expect(other.body).toMatchObject({ code: 409, type: "IDEMPOTENCY_KEY_REUSED", data: { field: "Idempotency-Key" } });
    expect(await ordersOf("mismatch")).toHaveLength(1);
  });

  it("answers 409 to that request only when it comes with others at once", async () => {
    expect((await post(orderBody("crowd"), "key-crowd-reused")).status).toBe(201);
    const [reused, ...fresh] = await Promise.all([
      post({ ...orderBody("crowd"), currency: "USD" }, "key-crowd-reused"),
      ...Array.from({ length: 5 }, (_, i) => post(orderBody("crowd"), `key-crowd-${i}`)),
    ]);
    expect(reused.status).toBe(409);
    expect(fresh.map((res) => res.status)).toEqual(Array(5).fill(201));
    expect(await ordersOf("crowd")).toHaveLength(6);
  });

  it("answers 422 naming the header to a malformed key", async () => {
    const res = await post(orderBody("bad-key"), "x".repeat(300));
    expect(res.status).toBe(422);
    expect(res.body.data).toContainEqual(expect.objectContaining({ field: "Idempotency-Key" }));
    expect(await ordersOf("bad-key")).toHaveLength(0);
  });

  it("creates a new order for every request without a key", async () => {
    await post(orderBody("no-key"));
    await post(orderBody("no-key"));
    expect(await ordersOf("no-key")).toHaveLength(2);
  });

  it("honours a key for 24 hours only", async () => {
    expect((await post(orderBody("expired"), "key-expired")).status).toBe(201);
    await queryDatabase(
      cluster.databases.orders,
      "UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE key = 'key-expired'",
    );
    expect((await post(orderBody("expired"), "key-expired")).status).toBe(201);
    expect(await ordersOf("expired")).toHaveLength(2);
  });
});
