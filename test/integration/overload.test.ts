import type { Order } from "../../contracts/orders";
import { type Cluster, startCluster } from "../support/cluster";
import { createOrders, expectEveryOrderInvoicedOnce, largestOrderBody } from "../support/orders";
import { queryDatabase } from "../support/postgres";

/**
 * More heavy orders at once than the system takes: beyond capacity a request is refused at once with
 * a 503 the client may retry, before anything is committed; what is accepted is done; and the
 * ordinary traffic after the burst goes through. Small admission limits make the overload certain.
 */
let cluster: Cluster;

beforeAll(async () => {
  cluster = await startCluster({ GATEWAY_MAX_IN_FLIGHT: "40", ADMISSION_CONCURRENCY: "10", ADMISSION_QUEUE_SIZE: "10", LOG_LEVEL: "warn" });
});

afterAll(async () => {
  await cluster?.stop();
});

describe("a burst beyond capacity", () => {
  it("refuses what it cannot take with 503 and Retry-After before doing anything, does all it accepted, and serves the next orders", async () => {
    const burst = await Promise.all(
      Array.from({ length: 300 }, (_, i) => {
        const body = JSON.stringify(largestOrderBody(`burst-${i}-`));
        return cluster.http.raw("POST", "/orders", { body, headers: { "content-type": "application/json" } });
      }),
    );
    const accepted = burst.filter((r) => r.status === 201);
    const refused = burst.filter((r) => r.status !== 201);
    // Refused as "not done, retry soon", never a timeout the client cannot read, never a 500.
    expect(new Set(refused.map((r) => `${r.status} ${r.body.type} ${r.headers.get("retry-after")}`))).toEqual(
      new Set(refused.map((r) => (r.body.type === "OVERLOADED" ? "503 OVERLOADED 1" : "503 DEADLINE_EXCEEDED 1"))),
    );
    expect(refused.filter((r) => r.body.type === "OVERLOADED").length).toBeGreaterThan(0);
    expect(accepted.length).toBeGreaterThan(0);

    // Exactly the accepted orders exist: nothing refused was committed.
    const stored = await queryDatabase<{ id: string }>(cluster.databases.orders, "SELECT id FROM orders WHERE customer_id LIKE 'burst-%'");
    expect(stored.map((row) => row.id).sort()).toEqual(accepted.map((r) => (r.body as Order).id).sort());
    await expectEveryOrderInvoicedOnce(
      cluster,
      accepted.map((r) => (r.body as Order).id),
    );

    // The burst leaves nothing behind that turns ordinary orders away (a tripped circuit breaker…).
    const after = await createOrders(cluster, 10, "after-burst");
    await expectEveryOrderInvoicedOnce(cluster, after);
  });
});
