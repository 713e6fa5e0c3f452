import { randomUUID } from "node:crypto";
import type { Context, ServiceSchema, ServiceSettingSchema } from "moleculer";
import { INVOICE_ISSUED, type InvoiceIssuedData } from "../../contracts/events/invoice-issued";
import { ORDER_CREATED } from "../../contracts/events/order-created";
import type { EventEnvelope } from "../../contracts/events/envelope";
import {
  createOrderParams,
  listOrdersParams,
  type CreateOrderParams,
  type ListOrdersParams,
  type Order,
  type OrderStatus,
} from "../../contracts/orders";
import { dbMixin, type DbMethods } from "../../mixins/db.mixin";
import type { HttpMeta } from "../../contracts/http";
import { migrations } from "./migrations";
import { orderAttributes } from "./order.model";
import { priceItems } from "./order-pricing";
import { transition } from "./order-status";

/**
 * Orders: accepts orders, owns the `orders` database, and follows each order through its lifecycle
 * from the invoices service's events.
 */
const OrdersServiceSchema: ServiceSchema<ServiceSettingSchema, DbMethods> = {
  name: "orders",

  mixins: [
    dbMixin({
      urlEnv: "ORDERS_DATABASE_URL",
      entityName: "Order",
      table: "orders",
      attributes: orderAttributes,
      migrations,
      publishes: [ORDER_CREATED],
    }),
  ],

  // GET /orders/:id is the db mixin's `get`.
  actions: {
    /**
     * POST /orders — prices the items and stores the order as `pending` together with its
     * `order.created` event (outbox). Honours `Idempotency-Key`.
     */
    create: {
      params: createOrderParams,
      async handler(ctx: Context<CreateOrderParams, HttpMeta>): Promise<Order> {
        const { body: order, replayed } = await this.idempotent(ctx, async (transaction) => {
          const { items, total } = priceItems(ctx.params.items);
          const row = await this.model.create(
            {
              id: randomUUID(),
              customerId: ctx.params.customerId,
              customer: ctx.params.customer,
              currency: ctx.params.currency,
              items,
              total,
              status: "pending",
            },
            { transaction },
          );
          const created = this.toPlain<Order>(row);
          await this.publish(ctx, transaction, ORDER_CREATED, {
            orderId: created.id,
            customerId: created.customerId,
            customer: created.customer,
            currency: created.currency,
            items: created.items,
            total: created.total,
            createdAt: new Date(created.createdAt).toISOString(),
          });
          return created;
        });
        ctx.meta.$statusCode = 201;
        ctx.meta.$location = `/orders/${order.id}`;
        if (replayed) ctx.meta.$responseHeaders = { "Idempotent-Replayed": "true" };
        return order;
      },
    },

    /** GET /orders — newest first, filtered by customer and status. */
    list: {
      params: listOrdersParams,
      handler(ctx: Context<ListOrdersParams>) {
        const { customerId, status, page, pageSize } = ctx.params;
        return this.listPage<Order>(ctx, { customerId, status }, { page, pageSize });
      },
    },
  },

  events: {
    /** The order's invoice exists: the order becomes `invoiced` (again: a no-op). */
    [INVOICE_ISSUED.name]: {
      handler(ctx: Context<EventEnvelope<InvoiceIssuedData>>) {
        return this.consumeOnce(ctx, INVOICE_ISSUED, async (transaction) => {
          const { orderId, invoiceId } = ctx.params.data;
          const row = await this.model.findByPk(orderId, { transaction, lock: transaction.LOCK.UPDATE });
          if (!row) {
            this.logger.warn(`invoice.issued for unknown order ${orderId}`);
            return;
          }
          const next = transition(row.get("status") as OrderStatus, "invoiced");
          if (next) await row.update({ status: next, invoiceId }, { transaction });
        });
      },
    },
  },
};

export default OrdersServiceSchema;
