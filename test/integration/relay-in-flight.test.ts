import { type Cluster, startCluster } from "../support/cluster";
import { createOrders, expectEveryOrderInvoicedOnce } from "../support/orders";

/**
 * A relay sends a backlog no faster than its consumers answer: real nodes over RabbitMQ, the orders
 * relay allowed 10 messages in flight, and its polling and backoff far longer than the test, so only
 * answers can move the backlog along, and no consumer batch can hold more than 10 of its messages.
 */
let cluster: Cluster;

beforeAll(async () => {
  cluster = await startCluster({
    OUTBOX_MAX_IN_FLIGHT: "10",
    OUTBOX_POLL_MS: "600000",
    OUTBOX_RETRY_BASE_MS: "600000",
    OUTBOX_RETRY_MAX_MS: "600000",
  });
});

afterAll(async () => {
  await cluster?.stop();
});

it("drains a backlog ten messages at a time, each batch sent as the last is answered", async () => {
  await cluster.stopNode("invoices");
  const ids = await createOrders(cluster, 100, "relay-in-flight");
  // The invoices node's own window is the default: only the orders relay's is under test.
  await cluster.startNode("invoices", "invoices", { OUTBOX_MAX_IN_FLIGHT: "1000" });
  await expectEveryOrderInvoicedOnce(cluster, ids);
  // Every invoice is late (its order waited for the invoices node): one line per consumer batch.
  const batches = [...cluster.logs("invoices").matchAll(/the longest of (\d+) late invoice\(s\) issued together/g)].map((m) =>
    Number(m[1]),
  );
  expect(batches.reduce((sum, size) => sum + size, 0)).toBe(100);
  expect(Math.max(...batches)).toBeLessThanOrEqual(10);
});
