import { randomUUID } from "node:crypto";
import type { Order } from "../../contracts/orders";
import { type Cluster, startCluster } from "../support/cluster";
import { eventually } from "../support/eventually";
import { expectEveryOrderInvoicedOnce, orderBody } from "../support/orders";
import { type PgFaultProxy, startPgFaultProxy } from "../support/pg-fault-proxy";
import { queryDatabase } from "../support/postgres";

/**
 * The database failing under a unit of work in the two ways a retry must treat differently: a race
 * lost to another transaction (rolled back: run it again), and a connection broken while committing
 * (it may have committed: find out before answering, never run it blindly again). The orders node
 * reaches its database through a proxy that breaks the connection at a chosen statement; PostgreSQL
 * itself raises the deadlocks, from a trigger.
 */
let cluster: Cluster;
let proxy: PgFaultProxy;

beforeAll(async () => {
  proxy = await startPgFaultProxy();
  // One rejection parks a message: any message rejected for a lost race would show.
  cluster = await startCluster({
    OUTBOX_MAX_FAILURES: "1",
    OUTBOX_POLL_MS: "200",
    OUTBOX_RETRY_BASE_MS: "200",
    OUTBOX_RETRY_MAX_MS: "1000",
  });
  await cluster.stopNode("orders");
  await cluster.startNode("orders", "orders", { ORDERS_DATABASE_URL: proxy.url(cluster.databases.orders) });
});

afterAll(async () => {
  await cluster?.stop();
  await proxy?.close();
});

const post = (customerId: string, key?: string) =>
  cluster.http.raw("POST", "/orders", {
    body: JSON.stringify(orderBody(customerId)),
    headers: { "content-type": "application/json", ...(key ? { "idempotency-key": key } : {}) },
  });
const storedFor = async (customerId: string) =>
  (await queryDatabase<{ id: string }>(cluster.databases.orders, "SELECT id FROM orders WHERE customer_id = $1", [customerId]))
    .map((r) => r.id)
    .sort();
const parked = async () => (await cluster.http.get("/ready")).body.consistency;

/** Makes PostgreSQL raise `sqlState` from the first `times` writes of `operation` on `table` in `database`. */
async function failWrites(database: string, table: string, operation: "INSERT" | "UPDATE", sqlState: string, times: number) {
  await queryDatabase(
    database,
    `CREATE SEQUENCE IF NOT EXISTS injected_failures;
     SELECT setval('injected_failures', 1, false);
     CREATE OR REPLACE FUNCTION inject_failure() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN
       IF nextval('injected_failures') <= ${times} THEN RAISE EXCEPTION 'injected' USING ERRCODE = '${sqlState}'; END IF;
       RETURN NEW;
     END $$;
     CREATE OR REPLACE TRIGGER inject_failure BEFORE ${operation} ON ${table} FOR EACH ROW EXECUTE FUNCTION inject_failure();`,
  );
  return () => queryDatabase(database, `DROP TRIGGER inject_failure ON ${table}`);
}

async function invoicedOrder(customerId: string): Promise<Order> {
  const created = await post(customerId);
  await expectEveryOrderInvoicedOnce(cluster, [created.body.id]);
  return created.body;
}

describe("a transaction that lost a race (deadlock, serialization failure)", () => {
  it("is run again: the cancel answers 200 instead of a 500", async () => {
    const order = await invoicedOrder("deadlocked-cancel");
    const restore = await failWrites(cluster.databases.orders, "orders", "UPDATE", "40P01", 2);
    try {
      const cancelled = await cluster.http.raw("POST", `/orders/${order.id}/cancel`);
      expect(cancelled).toMatchObject({ status: 200, body: { status: "cancelled" } });
    } finally {
      await restore();
    }
  });

  it("in a consumer, is retried and never counted as a rejection, however often it happens", async () => {
    // More failures than one delivery retries: the message comes back later, and is never parked.
    const restore = await failWrites(cluster.databases.invoices, "invoices", "INSERT", "40001", 12);
    try {
      const created = await post("serialization-failures");
      expect(created.status).toBe(201);
      await expectEveryOrderInvoicedOnce(cluster, [created.body.id]);
    } finally {
      await restore();
    }
    expect(await parked()).toMatchObject({ orders: { outbox: { parked: 0 } }, invoices: { outbox: { parked: 0 } } });
  });
});

describe("a database that cannot do the work for a while (disk full, read-only after a failover, a statement cancelled)", () => {
  it.each([
    ["disk full", "53100"],
    ["read-only", "25006"],
    ["statement cancelled", "57014"],
  ])("%s (%s), in a consumer: the message is delivered again, never rejected, and applied once it can be", async (_name, sqlState) => {
    // One rejection parks a message here: a message rejected for the database's state would never be invoiced.
    const restore = await failWrites(cluster.databases.invoices, "invoices", "INSERT", sqlState, 6);
    try {
      const created = await post(`unable-${sqlState}`);
      expect(created.status).toBe(201);
      await expectEveryOrderInvoicedOnce(cluster, [created.body.id]);
    } finally {
      await restore();
    }
    expect(await parked()).toMatchObject({ orders: { outbox: { parked: 0 } }, invoices: { outbox: { parked: 0 } } });
  });

  it("disk full, in a command: 503 DATABASE_UNAVAILABLE with Retry-After, nothing stored, instead of a 500", async () => {
    const restore = await failWrites(cluster.databases.orders, "orders", "INSERT", "53100", 1_000);
    try {
      const refused = await post("disk-full");
      expect(refused).toMatchObject({ status: 503, body: { type: "DATABASE_UNAVAILABLE" } });
      expect(refused.headers.get("retry-after")).toBe("5");
    } finally {
      await restore();
    }
    expect(await storedFor("disk-full")).toEqual([]);
  });
});

describe("a connection whose client side broke in a transaction, the server's side left open (half-open)", () => {
  it("the session left at the server is ended, so its locks do not hold up the run again: the cancel answers 200", async () => {
    const order = await invoicedOrder("half-open-cancel");
    await eventually(async () => expect((await parked()).orders.outbox.pending).toBe(0));
    // The cancel's last statement before COMMIT adds its event to the outbox; by then it holds the order's row lock.
    const sprung = proxy.cutClientBefore(/outbox add/);
    try {
      const cancelled = await cluster.http.raw("POST", `/orders/${order.id}/cancel`);
      await sprung;
      expect(cancelled).toMatchObject({ status: 200, body: { id: order.id, status: "cancelled" } });
    } finally {
      // Left open, a session still holding the lock would hold up the nodes' stop too.
      proxy.closeCutConnections();
    }
  });

  it("a consumer's commit cut with no transaction id to ask about: its session is ended, the message comes again and is applied", async () => {
    await eventually(async () => expect((await parked()).orders.outbox.pending).toBe(0));
    // The orders node's next COMMIT is its invoice.issued batch's, which writes no outbox row: no transaction id.
    const sprung = proxy.cutClientBefore(/^COMMIT/);
    try {
      const created = await post("half-open-consumer");
      expect(created.status).toBe(201);
      await sprung;
      await expectEveryOrderInvoicedOnce(cluster, [created.body.id]);
    } finally {
      proxy.closeCutConnections();
    }
  });
});

describe("a connection broken while committing", () => {
  it.each([
    ["after the batch of new orders committed: each is answered 201 once, none is created twice", "after"],
    ["before the batch reached the database: it runs again, each order is created once", "before"],
  ] as const)("%s", async (_title, when) => {
    const customerId = `lost-${when}-commit`;
    const statement = /INSERT INTO "orders"|insert "orders"/;
    const sprung = when === "after" ? proxy.breakAfter(statement) : proxy.breakBefore(statement);
    const answers = await Promise.all(Array.from({ length: 8 }, () => post(customerId)));
    await sprung;
    expect(answers.map((r) => r.status)).toEqual(Array(8).fill(201));
    const ids = answers.map((r) => r.body.id).sort();
    expect(await storedFor(customerId)).toEqual(ids);
    await expectEveryOrderInvoicedOnce(cluster, ids);
  });

  it("at COMMIT of a transaction that committed: a keyed order is answered 201 and created once", async () => {
    await eventually(async () => expect((await parked()).orders.outbox.pending).toBe(0));
    const key = randomUUID();
    const sprung = proxy.breakAfter(/^COMMIT/);
    const answer = await post("lost-at-commit", key);
    await sprung;
    expect(answer.status).toBe(201);
    expect(await storedFor("lost-at-commit")).toEqual([answer.body.id]);
    // The key remembers the answer: a retry replays it.
    expect(await post("lost-at-commit", key)).toMatchObject({ status: 201, body: { id: answer.body.id } });
    await expectEveryOrderInvoicedOnce(cluster, [answer.body.id]);
  });

  it("at COMMIT of a cancel that committed: answered 200, not a 409 from running it again", async () => {
    const order = await invoicedOrder("cancel-lost-at-commit");
    await eventually(async () => expect((await parked()).orders.outbox.pending).toBe(0));
    const sprung = proxy.breakAfter(/^COMMIT/);
    const cancelled = await cluster.http.raw("POST", `/orders/${order.id}/cancel`);
    await sprung;
    expect(cancelled).toMatchObject({ status: 200, body: { id: order.id, status: "cancelled" } });
  });
});
