import { ServiceBroker } from "moleculer";
import type { Order } from "../../contracts/orders";
import brokerOptions from "../../moleculer.config";
import OrdersService from "../../services/orders/orders.service";
import { runId } from "../support/environment";
import { orderBody } from "../support/orders";
import { createDatabases, databaseUrl, dropDatabases, queryDatabase } from "../support/postgres";

/**
 * The orders service in Moleculer's own test style: one in-process broker, no transporter and no other
 * process, over a PostgreSQL database of the test's own (`settings.databaseUrl`). Its units of work,
 * group commit, Idempotency-Keys and outbox run as in production; nobody consumes its events here, so
 * they stay in the outbox.
 */
const database = `${runId()}_orders_in_process`;
let broker: ServiceBroker;

beforeAll(async () => {
  await createDatabases([database]);
  // The project's broker options (its middlewares: event batches, call batches, deadlines…), in process.
  broker = new ServiceBroker({ ...brokerOptions, transporter: undefined, logger: false, nodeID: `${runId()}-local`, metrics: false });
  // The service as it is, given a database of the test's own (Moleculer merges a mixin's settings).
  broker.createService({ mixins: [OrdersService], settings: { databaseUrl: databaseUrl(database) } } as never);
  await broker.start();
});

afterAll(async () => {
  await broker?.stop();
  await dropDatabases([database]);
});

const outbox = () =>
  queryDatabase<{ type: string; order_id: string }>(database, "SELECT type, envelope->'data'->>'orderId' AS order_id FROM outbox");

it("creates the orders of one turn in one unit of work, each with its order.created in the outbox", async () => {
  const orders = await Promise.all(Array.from({ length: 20 }, () => broker.call<Order, unknown>("orders.create", orderBody("in-process"))));
  expect(new Set(orders.map((order) => order.id)).size).toBe(20);
  expect(orders.every((order) => order.status === "pending")).toBe(true);
  const stored = await queryDatabase(database, "SELECT id FROM orders WHERE customer_id = 'in-process'");
  expect(stored).toHaveLength(20);
  expect(
    (await outbox())
      .filter((row) => row.type === "order.created")
      .map((row) => row.order_id)
      .sort(),
  ).toEqual(orders.map((order) => order.id).sort());
});

it("answers a retry with the same Idempotency-Key with the first answer, and stores the order once", async () => {
  const meta = { idempotencyKey: `in-process-${runId()}` };
  const [first, again] = await Promise.all([
    broker.call<Order, unknown>("orders.create", orderBody("keyed"), { meta }),
    broker.call<Order, unknown>("orders.create", orderBody("keyed"), { meta }),
  ]);
  expect(again.id).toBe(first.id);
  expect(await queryDatabase(database, "SELECT id FROM orders WHERE customer_id = 'keyed'")).toEqual([{ id: first.id }]);
});

it("cancels an order in a transaction with its order.cancelled, and refuses a second cancellation", async () => {
  const order = await broker.call<Order, unknown>("orders.create", orderBody("cancelled"));
  const cancelled = await broker.call<Order, { id: string }>("orders.cancel", { id: order.id });
  expect(cancelled.status).toBe("cancelled");
  expect(
    (await outbox())
      .filter((row) => row.order_id === order.id)
      .map((row) => row.type)
      .sort(),
  ).toEqual(["order.cancelled", "order.created"]);
  await expect(broker.call("orders.cancel", { id: order.id })).rejects.toMatchObject({ code: 409, type: "ILLEGAL_TRANSITION" });
});

it("works with its mixins listed in the other order: each makes what it needs of the others on first use", async () => {
  const reversedDatabase = `${database}_reversed`;
  await createDatabases([reversedDatabase]);
  const other = new ServiceBroker({
    ...brokerOptions,
    transporter: undefined,
    logger: false,
    nodeID: `${runId()}-reversed`,
    metrics: false,
  });
  try {
    const { mixins, ...rest } = OrdersService;
    other.createService({
      ...rest,
      mixins: [...(mixins ?? [])].reverse(),
      settings: { databaseUrl: databaseUrl(reversedDatabase) },
    } as never);
    await other.start();
    const order = await other.call<Order, unknown>("orders.create", orderBody("reversed"));
    expect(await other.call("orders.cancel", { id: order.id })).toMatchObject({ id: order.id, status: "cancelled" });
    expect(await queryDatabase(reversedDatabase, "SELECT type FROM outbox ORDER BY type")).toEqual([
      { type: "order.cancelled" },
      { type: "order.created" },
    ]);
  } finally {
    await other.stop();
    await dropDatabases([reversedDatabase]);
  }
});
