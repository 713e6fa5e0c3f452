import { randomUUID } from "node:crypto";
import { ServiceBroker } from "moleculer";
import type { Invoice } from "../../contracts/invoices";
import type { Order } from "../../contracts/orders";
import type { Page } from "../../contracts/paging";
import { config } from "../../mixins/config";
import brokerOptions from "../../moleculer.config";
import InvoicesService from "../../services/invoices/invoices.service";
import OrdersService from "../../services/orders/orders.service";
import { runId } from "../support/environment";
import { eventually } from "../support/eventually";
import { orderBody } from "../support/orders";
import { injectIntoOrdersOutbox } from "../support/outbox";
import { createDatabases, databaseUrl, dropDatabases, queryDatabase } from "../support/postgres";

/**
 * Both services in Moleculer's own test style: one in-process broker, no transporter and no other
 * process, each over a PostgreSQL database of the test's own (`settings.databaseUrl`). Commands, the
 * outbox and its relay, the consumers' batches, inbox and acknowledgements run as in production, with
 * the broker's local event bus between them.
 */
const databases = { orders: `${runId()}_orders_local`, invoices: `${runId()}_invoices_local` };
let broker: ServiceBroker;

beforeAll(async () => {
  await createDatabases(Object.values(databases));
  // The project's broker options (its middlewares: event batches, call batches, deadlines…), in process.
  broker = new ServiceBroker({ ...brokerOptions, transporter: undefined, logger: false, nodeID: `${runId()}-local`, metrics: false });
  // Each service as it is, given a database of the test's own (Moleculer merges a mixin's settings).
  broker.createService({ mixins: [OrdersService], settings: { databaseUrl: databaseUrl(databases.orders) } } as never);
  broker.createService({ mixins: [InvoicesService], settings: { databaseUrl: databaseUrl(databases.invoices) } } as never);
  await broker.start();
});

afterAll(async () => {
  await broker?.stop();
  await dropDatabases(Object.values(databases));
});

it("turns each order into exactly one invoice, and each order ends invoiced; the outboxes empty", async () => {
  const orders = await Promise.all(Array.from({ length: 30 }, () => broker.call<Order, unknown>("orders.create", orderBody("local"))));
  await eventually(async () => {
    const pending = await queryDatabase(databases.orders, "SELECT id FROM orders WHERE status <> 'invoiced'");
    expect(pending).toEqual([]);
  });
  const invoices = await queryDatabase<{ order_id: string; number: string }>(databases.invoices, "SELECT order_id, number FROM invoices");
  expect(invoices.map((invoice) => invoice.order_id).sort()).toEqual(orders.map((order) => order.id).sort());
  expect(new Set(invoices.map((invoice) => invoice.number)).size).toBe(30);
  await eventually(async () => {
    expect(await queryDatabase(databases.orders, "SELECT id FROM outbox")).toEqual([]);
    expect(await queryDatabase(databases.invoices, "SELECT id FROM outbox")).toEqual([]);
  });
});

it("voids the invoice of a cancelled order", async () => {
  const order = await broker.call<Order, unknown>("orders.create", orderBody("local-cancel"));
  const invoice = await eventually(async () => {
    const page = await broker.call<Page<Invoice>, { orderId: string }>("invoices.list", { orderId: order.id });
    expect(page.rows).toHaveLength(1);
    return page.rows[0];
  });
  await broker.call("orders.cancel", { id: order.id });
  await eventually(async () => {
    expect(await broker.call<Invoice, { id: string }>("invoices.get", { id: invoice.id })).toMatchObject({ status: "void" });
  });
});

it("parks a message its consumer rejects, after OUTBOX_MAX_FAILURES rejections, and invoices nothing for it", async () => {
  const poisonId = await injectIntoOrdersOutbox(databases.orders, "order.created", {
    orderId: randomUUID(),
    customerId: "poison",
    currency: "EUR",
    items: [],
    total: -1,
  });
  const relay = (broker.getLocalService("orders") as unknown as { relay: { kick(): void } }).relay;
  const parked = await eventually(async () => {
    // Each rejection puts the next delivery off by the relay's backoff: due now instead, and delivered at once.
    await queryDatabase(databases.orders, "UPDATE outbox SET next_attempt_at = now() WHERE id = $1", [poisonId]);
    relay.kick();
    const list = await broker.call<Array<{ id: string; failures: number; lastError: string }>>("orders.parkedMessages");
    expect(list.map((message) => message.id)).toEqual([poisonId]);
    return list[0];
  });
  expect(parked.failures).toBe(config().OUTBOX_MAX_FAILURES);
  expect(parked.lastError).toMatch(/^invoices: /);
  expect(await queryDatabase(databases.invoices, "SELECT id FROM invoices WHERE customer_id = 'poison'")).toEqual([]);
});
