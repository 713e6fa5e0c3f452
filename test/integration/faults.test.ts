import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import type { ServiceBroker } from "moleculer";
import type { EventBatch, EventEnvelope } from "../../contracts/events/envelope";
import type { Order } from "../../contracts/orders";
import { type Cluster, startCluster } from "../support/cluster";
import { eventually } from "../support/eventually";
import { createOrders, expectEveryOrderInvoicedOnce, orderBody } from "../support/orders";
import { injectIntoOrdersOutbox } from "../support/outbox";
import { queryDatabase, setDatabaseOutage } from "../support/postgres";
import { joinCluster } from "../support/tester-node";

/**
 * Nothing lost, nothing doubled (README: Guarantees): each test breaks a real part while orders are
 * created, then checks the guarantee on every order of its batch.
 */
let cluster: Cluster;
let tester: ServiceBroker | undefined;

beforeAll(async () => {
  cluster = await startCluster({
    OUTBOX_POLL_MS: "200",
    OUTBOX_RETRY_BASE_MS: "200",
    OUTBOX_RETRY_MAX_MS: "2000",
    OUTBOX_MAX_FAILURES: "3",
    OUTBOX_STUCK_AFTER_SECONDS: "1",
    // the level and the readable lines a late invoice's line is read in, whatever the environment says
    LOG_LEVEL: "info",
    LOG_FORMAT: "text",
  });
  tester = await joinCluster(cluster);
});

afterAll(async () => {
  await tester?.stop();
  await cluster?.stop();
});

const invoiceCount = async () => Number((await queryDatabase(cluster.databases.invoices, "SELECT count(*) AS n FROM invoices"))[0].n);

describe("faults", () => {
  it("1. invoices node stopped while orders are created, started later", async () => {
    await cluster.stopNode("invoices");
    const ids = await createOrders(cluster, 20, "while-invoices-down");
    expect(await queryDatabase(cluster.databases.invoices, "SELECT id FROM invoices WHERE order_id = ANY($1::uuid[])", [ids])).toEqual([]);
    // The consistency report sees the backlog…
    expect(await tester!.call("orders.consistencyReport", { olderThanSeconds: 0 })).toMatchObject({
      outbox: { pending: 20, parked: 0 },
      ordersWithoutInvoice: 20,
    });
    // Late by more than a second whatever the machine: each batch of them writes one line at info, the
    // longest-waiting invoice's, with its lag and how many were late in that batch: every one counted once.
    await sleep(1_000);
    await cluster.startNode("invoices", "invoices");
    await expectEveryOrderInvoicedOnce(cluster, ids);
    await eventually(async () => {
      const lines = [
        ...cluster
          .logs("invoices")
          .matchAll(/ INFO .* issued for order (?<id>\S+), lag (?<lag>[0-9.]+) s, the longest of (?<late>\d+) late/g),
      ];
      const ours = lines.map((line) => line.groups!).filter((line) => ids.includes(line.id));
      expect(ours.every((line) => Number(line.lag) >= 1)).toBe(true);
      expect(ours.reduce((sum, line) => sum + Number(line.late), 0)).toBe(ids.length);
    });
    // …and its end.
    await eventually(async () => {
      expect(await tester!.call("orders.consistencyReport", { olderThanSeconds: 0 })).toMatchObject({
        outbox: { pending: 0, oldestPendingSeconds: 0, parked: 0 },
        ordersWithoutInvoice: 0,
      });
    });
  });

  it("2. invoices node killed (SIGKILL) in the middle of handling a batch", async () => {
    const before = await invoiceCount();
    const ids = await createOrders(cluster, 60, "killed-mid-batch");
    await eventually(async () => expect(await invoiceCount()).toBeGreaterThan(before), { attempts: 1000, intervalMs: 5 });
    await cluster.killNode("invoices");
    await cluster.startNode("invoices", "invoices");
    await expectEveryOrderInvoicedOnce(cluster, ids);
  });

  it("5. the same message delivered twice, and a second message for the same order", async () => {
    // The messages as sent, read from the outbox while invoices is away: once acknowledged, they go.
    await cluster.stopNode("invoices");
    const ids = await createOrders(cluster, 5, "duplicates");
    const sent = await queryDatabase<{ envelope: EventEnvelope<{ orderId: string }> }>(
      cluster.databases.orders,
      "SELECT envelope FROM outbox WHERE type = 'order.created' AND envelope->'data'->>'orderId' = ANY($1)",
      [ids],
    );
    expect(sent).toHaveLength(5);
    await cluster.startNode("invoices", "invoices");
    await expectEveryOrderInvoicedOnce(cluster, ids);
    const fresh = sent.map(({ envelope }) => ({ ...envelope, id: randomUUID() }));
    const deliver = (batch: EventEnvelope<unknown>[]) =>
      tester!.emit("order.created", { batch } satisfies EventBatch<unknown>, { groups: ["invoices"] });
    // Twice in one batch, and again in a batch of its own.
    for (const { envelope } of sent) {
      await deliver([envelope, envelope]);
      await deliver([envelope]);
    }
    await deliver(fresh);

    // The fresh ids reach the inbox: the duplicates were delivered and applied as no-ops.
    await eventually(async () => {
      const seen = await queryDatabase(cluster.databases.invoices, "SELECT message_id FROM inbox WHERE message_id = ANY($1::uuid[])", [
        fresh.map((e) => e.id),
      ]);
      expect(seen).toHaveLength(fresh.length);
    });
    await expectEveryOrderInvoicedOnce(cluster, ids);
  });

  it("6. two orders nodes and two invoices nodes compete", async () => {
    await cluster.startNode("orders-2", "orders");
    await cluster.startNode("invoices-2", "invoices");
    const ids = await createOrders(cluster, 60, "competing");
    await expectEveryOrderInvoicedOnce(cluster, ids);
    await cluster.stopNode("orders-2");
    await cluster.stopNode("invoices-2");
  });

  it("7. orders node killed right after commit, before its relay ran", async () => {
    await cluster.stopNode("orders");
    await cluster.startNode("orders", "orders", { OUTBOX_RELAY_ENABLED: "false" });
    const ids = await createOrders(cluster, 10, "orders-crashed");
    const waiting = await queryDatabase(cluster.databases.orders, "SELECT id FROM outbox WHERE envelope->'data'->>'orderId' = ANY($1)", [
      ids,
    ]);
    expect(waiting).toHaveLength(10);
    await cluster.killNode("orders");
    await cluster.startNode("orders", "orders");
    await expectEveryOrderInvoicedOnce(cluster, ids);
  });

  it("graceful stop: the orders node stopped (SIGTERM) under a burst of requests", async () => {
    const burst = Promise.all(Array.from({ length: 40 }, () => cluster.http.post<Order>("/orders", orderBody("graceful"))));
    const stopped = cluster.stopNode("orders");
    const responses = await burst;
    await stopped;
    // Each request was either taken to the end or refused cleanly: never a 500, never a hang.
    expect(responses.filter((r) => r.status !== 201 && r.status !== 503)).toEqual([]);
    await cluster.startNode("orders", "orders");
    const accepted = responses.filter((r) => r.status === 201).map((r) => r.body.id);
    const stored = await queryDatabase(cluster.databases.orders, "SELECT id FROM orders WHERE customer_id = 'graceful'");
    expect(stored.map((row) => row.id).sort()).toEqual([...accepted].sort());
    await expectEveryOrderInvoicedOnce(cluster, accepted);
  });

  it("8. a poison message is parked after its rejections; the others still flow", async () => {
    const poisonId = await injectIntoOrdersOutbox(cluster.databases.orders, "order.created", {
      orderId: randomUUID(),
      customerId: "poison",
      currency: "EUR",
      items: [],
      total: -1,
    });
    const ids = await createOrders(cluster, 10, "next-to-poison");
    await expectEveryOrderInvoicedOnce(cluster, ids);

    const parked = await eventually(async () => {
      const list: Array<{ id: string; failures: number; lastError: string }> = await tester!.call("orders.parkedMessages");
      expect(list.map((m) => m.id)).toContain(poisonId);
      return list.find((m) => m.id === poisonId)!;
    });
    expect(parked.failures).toBe(3);
    const ready = await cluster.http.get("/ready");
    expect(ready.body.consistency.orders.outbox.parked).toBe(1);
    expect(parked.lastError).toMatch(/^invoices: /);

    expect(await tester!.call("orders.replayMessage", { id: poisonId })).toEqual({ id: poisonId, replayed: true });
    await eventually(async () => {
      const [row] = await queryDatabase(cluster.databases.orders, "SELECT failures, parked_at FROM outbox WHERE id = $1", [poisonId]);
      expect(row.failures).toBe(3);
      expect(row.parked_at).not.toBeNull();
    });
    expect(await queryDatabase(cluster.databases.invoices, "SELECT id FROM invoices WHERE customer_id = 'poison'")).toEqual([]);
  });

  it("9. a message no consumer can apply shows in /ready and its report as stuck; readiness stays 200", async () => {
    // The cancellation of an order invoices never heard of: it waits for an invoice that never comes.
    const id = await injectIntoOrdersOutbox(cluster.databases.orders, "order.cancelled", {
      orderId: randomUUID(),
      cancelledAt: new Date().toISOString(),
    });
    try {
      const ready = await eventually(async () => {
        const answer = await cluster.http.get("/ready");
        expect(answer.body.consistency.orders.outbox.stuck).toBe(1);
        return answer;
      });
      expect(ready.status).toBe(200);
      expect(ready.body.attention).toContain("orders: 1 outbox message(s) stuck, pending past OUTBOX_STUCK_AFTER_SECONDS");
      // Waiting is not failing: it is never rejected, so never parked.
      const [row] = await queryDatabase(cluster.databases.orders, "SELECT failures, parked_at FROM outbox WHERE id = $1", [id]);
      expect(row).toEqual({ failures: 0, parked_at: null });
    } finally {
      await queryDatabase(cluster.databases.orders, "DELETE FROM outbox WHERE id = $1", [id]);
    }
  });

  it("4. the invoices database unavailable for a while, then back", async () => {
    await setDatabaseOutage(cluster.databases.invoices, true);
    try {
      const ids = await createOrders(cluster, 10, "invoices-db-down");
      const read = await cluster.http.get("/invoices");
      expect(read.status).toBe(503);
      expect(read.body).toMatchObject({ code: 503, type: "DATABASE_UNAVAILABLE" });
      expect(read.headers.get("retry-after")).toBe("5");
      await setDatabaseOutage(cluster.databases.invoices, false);
      await expectEveryOrderInvoicedOnce(cluster, ids);
    } finally {
      await setDatabaseOutage(cluster.databases.invoices, false);
    }
  });

  it("3. RabbitMQ restarted during a batch", async () => {
    // The test's own node is not part of this story; it would only keep reconnecting.
    await tester?.stop();
    tester = undefined;
    const run = promisify(execFile);
    const ids = await createOrders(cluster, 30, "broker-restart");
    await run("rabbitmqctl", ["stop_app"]);
    try {
      const during = await cluster.http.post("/orders", orderBody("during-outage"));
      expect(during.status).toBe(503);
    } finally {
      await run("rabbitmqctl", ["start_app"]);
    }
    await cluster.waitUntilReady();
    const after = await createOrders(cluster, 10, "after-broker-restart");
    await expectEveryOrderInvoicedOnce(cluster, [...ids, ...after]);
  });
});
