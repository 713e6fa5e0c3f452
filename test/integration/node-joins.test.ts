import type { ServiceBroker } from "moleculer";
import { type Cluster, startCluster } from "../support/cluster";
import { eventually } from "../support/eventually";
import { createOrders, expectEveryOrderInvoicedOnce } from "../support/orders";
import { queryDatabase } from "../support/postgres";
import { joinCluster } from "../support/tester-node";

/**
 * While no node serves a consumer group, its messages wait; a node joining brings forward only the
 * outbox messages owed to a group it serves. Real nodes over RabbitMQ; a message with no consumer
 * waits the longest backoff, far longer than the test, so only a wake-up can deliver in time.
 */
let cluster: Cluster;
let tester: ServiceBroker | undefined;

beforeAll(async () => {
  cluster = await startCluster({ OUTBOX_RETRY_BASE_MS: "200", OUTBOX_RETRY_MAX_MS: "600000" });
});

afterAll(async () => {
  await tester?.stop();
  await cluster?.stop();
});

/** The order.created rows of these orders, with when the relay will next look at them. */
const backlog = (orderIds: string[]) =>
  queryDatabase(
    cluster.databases.orders,
    `SELECT id, attempts, last_error, next_attempt_at, next_attempt_at > now() + interval '1 minute' AS backing_off
     FROM outbox WHERE type = 'order.created' AND envelope->'data'->>'orderId' = ANY ($1) ORDER BY id`,
    [orderIds],
  );

describe("a node joining", () => {
  it("wakes only the messages that wait for a consumer group it serves", async () => {
    await cluster.stopNode("invoices");
    const ids = await createOrders(cluster, 5, "node-joins");
    // The orders node has known the invoices group, but no node serves it now: nothing is sent into
    // the void with ever longer backoffs; the messages wait for a consumer, their attempts unspent.
    await eventually(async () => expect((await backlog(ids)).map((row) => row.backing_off)).toEqual(Array(5).fill(true)));
    const before = await backlog(ids);
    expect(before.map(({ attempts, last_error }) => ({ attempts, last_error }))).toEqual(
      Array(5).fill({ attempts: 0, last_error: "no consumer up for invoices" }),
    );

    // A node with no consumer group: once the orders node has registered it and its services…
    tester = await joinCluster(cluster, { waitFor: ["orders"] });
    const ordersNode = tester.registry.getServiceList({ onlyAvailable: true }).find((service) => service.name === "orders")!.nodeID;
    await eventually(async () => {
      const services = await tester!.call<Array<{ name: string; nodes: string[] }>, object>(
        "$node.services",
        { onlyAvailable: true },
        { nodeID: ordersNode },
      );
      expect(services.find((service) => service.name === "$node")?.nodes).toContain(tester!.nodeID);
    });
    // …the messages still wait for their backoff.
    expect(await backlog(ids)).toEqual(before);

    // The invoices node serves the group they wait for: they are due at once.
    await cluster.startNode("invoices", "invoices");
    await expectEveryOrderInvoicedOnce(cluster, ids);
    expect(cluster.logs("orders")).toMatch(/Node invoices\S* serves invoices: 5 pending message\(s\) due now/);
  });
});
