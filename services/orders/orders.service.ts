import type { Context, ServiceSchema, ServiceSettingSchema } from "moleculer";
import { QueryTypes } from "sequelize";
import type { EventEnvelope } from "../../contracts/events/envelope";
import { INVOICE_ISSUED, type InvoiceIssuedData } from "../../contracts/events/invoice-issued";
import { INVOICE_PAID, type InvoicePaidData } from "../../contracts/events/invoice-paid";
import { ORDER_CANCELLED } from "../../contracts/events/order-cancelled";
import { ORDER_CREATED } from "../../contracts/events/order-created";
import type { HttpMeta } from "../../contracts/http";
import { newId } from "../../contracts/ids";
import { type CreateOrderParams, createOrderParams, type ListOrdersParams, listOrdersParams, type Order } from "../../contracts/orders";
import { type IdParams, idParams } from "../../contracts/paging";
import { between, type DbMethods, dbMixin } from "../../mixins/db";
import { type MessagingMethods, messagingMixin, notYet } from "../../mixins/messaging";
import { admission } from "../../mixins/moleculer";
import { type CommandMethods, commandsMixin } from "../../mixins/units";
import { migrations } from "./migrations";
import { orderAttributes } from "./order.model";
import { priceItems } from "./order-pricing";
import { afterInvoicePaid, orderStatus } from "./order-status";

/**
 * Orders: accepts orders, owns the `orders` database, and follows each order through its lifecycle
 * from the invoices service's events.
 */
const OrdersServiceSchema: ServiceSchema<ServiceSettingSchema, DbMethods & MessagingMethods & CommandMethods> = {
  name: "orders",

  mixins: [
    dbMixin({
      urlEnv: "ORDERS_DATABASE_URL",
      entityName: "Order",
      table: "orders",
      attributes: orderAttributes,
      listedBy: "createdAt",
      migrations,
    }),
    messagingMixin({ publishes: [ORDER_CREATED, ORDER_CANCELLED] }),
    commandsMixin(),
  ],

  // GET /orders/:id is the db mixin's `get`.
  actions: {
    /**
     * POST /orders — prices the items and stores the order as `pending` together with its
     * `order.created` event (outbox). Honours `Idempotency-Key`.
     */
    create: {
      ...admission(),
      params: createOrderParams,
      async handler(ctx: Context<CreateOrderParams, HttpMeta>): Promise<Order> {
        const { body: order, replayed } = await this.command(
          ctx,
          async (unit) => {
            const { items, total } = priceItems(ctx.params.items);
            const created: Order = unit.insert({
              id: newId(),
              customerId: ctx.params.customerId,
              customer: ctx.params.customer,
              currency: ctx.params.currency,
              items,
              total,
              status: "pending" as const,
              invoiceId: null,
            });
            this.publish(this.causedBy(ctx), unit, ORDER_CREATED, {
              orderId: created.id,
              customerId: created.customerId,
              customer: created.customer,
              currency: created.currency,
              items: created.items,
              total: created.total,
              createdAt: created.createdAt,
            });
            return created;
          },
          { appendOnly: true },
        );
        // debug: at info, an order's success is told by Kong's access line, the row and the metrics
        if (!replayed) this.logger.debug(`Order ${order.id} accepted: ${order.total} ${order.currency}`);
        ctx.meta.$statusCode = 201;
        ctx.meta.$location = `/orders/${order.id}`;
        return order;
      },
    },

    /** GET /orders — newest first (by creation time), filtered by customer, status and creation time; by page or cursor. */
    list: {
      ...admission(),
      params: listOrdersParams,
      handler(ctx: Context<ListOrdersParams>) {
        const { customerId, status, createdFrom, createdTo, ...paging } = ctx.params;
        return this.listPage<Order>(ctx, { customerId, status, createdAt: between(createdFrom, createdTo) }, paging);
      },
    },

    /**
     * The messaging report plus the orders still without an invoice after `olderThanSeconds`
     * (default 300): each one is an order.created that has not turned into an invoice yet.
     */
    consistencyReport: {
      params: { olderThanSeconds: { type: "number", integer: true, min: 0, default: 300, convert: true } },
      async handler(ctx: Context<{ olderThanSeconds: number }>) {
        const [{ count }] = await this.database().sequelize.query<{ count: number }>(
          `SELECT count(*)::int AS count FROM orders
           WHERE invoice_id IS NULL AND created_at < now() - :seconds * interval '1 second'`,
          { replacements: { seconds: ctx.params.olderThanSeconds }, type: QueryTypes.SELECT },
        );
        return { outbox: await this.outboxReport(), ordersWithoutInvoice: count, olderThanSeconds: ctx.params.olderThanSeconds };
      },
    },

    /**
     * POST /orders/:id/cancel — a pending or invoiced order becomes `cancelled`, and `order.cancelled`
     * makes invoices void its invoice. 409 once paid (or cancelled). Honours `Idempotency-Key`.
     */
    cancel: {
      ...admission(),
      params: idParams,
      async handler(ctx: Context<IdParams, HttpMeta>): Promise<Order> {
        const { body } = await this.command(
          ctx,
          async (unit) => {
            const locked = await this.lockOrFail<Order>(ctx.params.id, unit);
            const change = { id: locked.id, status: orderStatus.command(locked.status, "cancelled"), updatedAt: new Date() };
            await this.saveAll([change], unit);
            const order: Order = { ...locked, ...change, updatedAt: change.updatedAt.toISOString() };
            this.publish(this.causedBy(ctx), unit, ORDER_CANCELLED, {
              orderId: order.id,
              cancelledAt: order.updatedAt,
            });
            return order;
          },
          { locks: ctx.params.id },
        );
        return body;
      },
    },
  },

  events: {
    /**
     * The order's invoice exists: the order becomes `invoiced` (again: a no-op). A cancelled order
     * only records it: that invoice is being voided.
     */
    [INVOICE_ISSUED.name]: {
      async handler(ctx: Context<EventEnvelope<InvoiceIssuedData>>) {
        await this.consume(ctx, INVOICE_ISSUED, async (messages, unit) => {
          const invoiceOf = new Map(messages.map(({ envelope }) => [envelope.data.orderId, envelope.data.invoiceId]));
          const rows = await this.lockAllOrFail<Pick<Order, "id" | "status">>([...invoiceOf.keys()], ["id", "status"], unit);
          const changes = rows.map(({ id, status: current }) => ({
            id,
            status: current === "cancelled" ? current : (orderStatus.transition(current, "invoiced") ?? current),
            invoiceId: invoiceOf.get(id),
          }));
          await this.saveAll(changes, unit);
        });
      },
    },

    /**
     * The order's invoice was paid: the order becomes `paid`, once it knows it is invoiced. A cancelled
     * order stays cancelled: its invoice is credited when the cancellation reaches invoices
     * (contracts/lifecycle.ts).
     */
    [INVOICE_PAID.name]: {
      async handler(ctx: Context<EventEnvelope<InvoicePaidData>>) {
        await this.consume(ctx, INVOICE_PAID, async (messages, unit) => {
          const orderIds = messages.map(({ envelope }) => envelope.data.orderId);
          const rows = await this.lockAllOrFail<Pick<Order, "id" | "status">>(orderIds, ["id", "status"], unit);
          const changes = [];
          for (const { id, status } of rows) {
            const next = afterInvoicePaid(status);
            if (next === "not yet") throw notYet("invoice.issued has not arrived yet", { orderId: id });
            if (next) changes.push({ id, status: next });
          }
          await this.saveAll(changes, unit);
        });
      },
    },
  },
};

export default OrdersServiceSchema;
