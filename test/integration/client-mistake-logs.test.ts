import { type Cluster, startCluster } from "../support/cluster";
import { eventually } from "../support/eventually";
import { logRecords, wholeLines } from "../support/log-records";
import { orderBody } from "../support/orders";

/**
 * A client's mistakes are business as usual: each logs at most one line, at info or warn, and no
 * stack trace, on any node. Only the server's own faults log at error.
 */
let cluster: Cluster;

beforeAll(async () => {
  // At debug, an order's and its invoice's lines tell when the nodes are done with the last order; as
  // JSON lines, each record's level is its own.
  cluster = await startCluster({ LOG_LEVEL: "debug", LOG_FORMAT: "json" });
});

afterAll(async () => {
  await cluster?.stop();
});

const NODES = ["api", "orders", "invoices"] as const;
/** Pino's levels */
const INFO = 30;
const ERROR = 50;

/** What a node wrote after the first `from` characters of its output. */
const outputOf = (node: string, from: number): string => cluster.logs(node).slice(from);
const json = { "content-type": "application/json" };

it("logs each client mistake in one line at most, never at error and never with a stack", async () => {
  const from = Object.fromEntries(NODES.map((node) => [node, cluster.logs(node).length]));
  // Cancelled at once: its order.cancelled often reaches invoices before the invoice is issued, and
  // waits (NOT_YET), which is no mistake and no fault either: one line at info, no stack.
  const order = (await cluster.http.post("/orders", orderBody("logs"))).body;
  await cluster.http.raw("POST", `/orders/${order.id}/cancel`);

  const mistakes = [
    () => cluster.http.raw("POST", `/orders/${order.id}/cancel`),
    () =>
      cluster.http.raw("POST", "/orders", { body: JSON.stringify(orderBody("logs")), headers: { ...json, "idempotency-key": "logs-key" } }),
    () =>
      cluster.http.raw("POST", "/orders", {
        body: JSON.stringify({ ...orderBody("logs"), currency: "USD" }),
        headers: { ...json, "idempotency-key": "logs-key" },
      }),
    () => cluster.http.get("/orders/6f1c1a52-8e8b-4b53-9f3f-2d2b0c8a1e11"),
    () => cluster.http.get("/invoices/6f1c1a52-8e8b-4b53-9f3f-2d2b0c8a1e11"),
    () => cluster.http.get("/orders?page=0"),
    () => cluster.http.post("/orders", { customerId: 7 }),
    () => cluster.http.raw("POST", "/orders", { body: "{", headers: json }),
    () => cluster.http.raw("POST", "/orders", { body: "x".repeat(100_000), headers: json }),
    () => cluster.http.raw("POST", "/orders", { body: "{}", headers: { "content-type": "text/plain" } }),
    () => cluster.http.get("/nowhere"),
  ];
  for (const mistake of mistakes) expect((await mistake()).status).toBeLessThan(500);

  // The gateway wrote its lines before it answered. Orders and invoices work on after the answers: a
  // last order that both log; once its lines are there, so are the ones before.
  const marker = (await cluster.http.post("/orders", orderBody("logs-marker"))).body;
  await eventually(async () => {
    expect(cluster.logs("orders")).toContain(marker.id);
    expect(cluster.logs("invoices")).toContain(marker.id);
  });

  for (const node of NODES) {
    const output = outputOf(node, from[node]);
    const told = logRecords<{ level: number }>(output).filter((record) => record.level >= INFO);
    expect({
      node,
      errors: told.filter((record) => record.level >= ERROR),
      // in a record (an error logged with the line keeps its stack: log-arguments.ts), or written to stderr
      stacks: [
        ...told.filter((record) => JSON.stringify(record).includes("\\n    at ")),
        ...wholeLines(output).filter((line) => /^\s+at /.test(line)),
      ],
    }).toEqual({ node, errors: [], stacks: [] });
  }
  // One line at most per mistake at info or above; the requests that succeed log nothing there (access lines are debug).
  expect(logRecords<{ level: number }>(outputOf("api", from.api)).filter((record) => record.level >= INFO).length).toBeLessThanOrEqual(
    mistakes.length,
  );
});
