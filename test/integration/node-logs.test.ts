import { randomUUID } from "node:crypto";
import { type Cluster, startCluster } from "../support/cluster";
import { eventually } from "../support/eventually";
import { logRecords, wholeLines } from "../support/log-records";
import { expectEveryOrderInvoicedOnce, orderBody } from "../support/orders";
import { queryDatabase } from "../support/postgres";

/**
 * What the nodes' JSON lines tell. A client's mistakes are business as usual: each logs at most one
 * line, at info or warn, and no stack trace, on any node. Only the server's own faults log at error,
 * with what failed and where, but not the customer's data the failing statement carried.
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

it("logs a server fault at error with what failed, but not the row it failed on", async () => {
  const from = Object.fromEntries(NODES.map((node) => [node, cluster.logs(node).length]));
  // A customer the invoices database refuses, by a constraint the service does not know of: the
  // order.created consumer fails on the INSERT, and PostgreSQL's error names the constraint, while its
  // detail quotes the failing row, this customer and all.
  const customer = `row-data-${randomUUID()}`;
  const constraint = "refuses_one_customer";
  const invoices = cluster.databases.invoices;
  await queryDatabase(invoices, `ALTER TABLE invoices ADD CONSTRAINT ${constraint} CHECK (customer_id <> '${customer}') NOT VALID`);
  // The pg error, as the Sequelize error the statement runner raises wraps it.
  type Fault = { level: number; err?: { stack?: string; original?: Record<string, unknown> } };
  const faults = () =>
    logRecords<Fault>(outputOf("invoices", from.invoices)).filter(
      (record) => record.level >= ERROR && record.err?.original?.constraint === constraint,
    );
  const order = await cluster.http.post("/orders", orderBody(customer));
  try {
    expect(order.status).toBe(201);
    await eventually(async () => expect(faults().length).toBeGreaterThan(0));
  } finally {
    await queryDatabase(invoices, `ALTER TABLE invoices DROP CONSTRAINT ${constraint}`);
  }
  // The relay sends the rejected message again, and the order gets its invoice after all.
  await expectEveryOrderInvoicedOnce(cluster, [order.body.id]);

  expect(faults()[0].err).toMatchObject({ stack: expect.stringContaining("\n    at "), original: { code: "23514", table: "invoices" } });
  // At info and above, what production keeps (at debug, moleculer-web logs each request's params).
  for (const node of NODES) {
    const told = logRecords<{ level: number }>(outputOf(node, from[node])).filter((record) => record.level >= INFO);
    expect({ node, customerSeen: told.some((record) => JSON.stringify(record).includes(customer)) }).toEqual({ node, customerSeen: false });
  }
});
