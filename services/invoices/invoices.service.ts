import { randomUUID } from "node:crypto";
import type { Context, ServiceSchema, ServiceSettingSchema } from "moleculer";
import { QueryTypes, type Transaction } from "sequelize";
import type { EventEnvelope } from "../../contracts/events/envelope";
import { INVOICE_ISSUED } from "../../contracts/events/invoice-issued";
import { ORDER_CREATED, type OrderCreatedData } from "../../contracts/events/order-created";
import { listInvoicesParams, type Invoice, type ListInvoicesParams } from "../../contracts/invoices";
import { dbMixin, type DbMethods } from "../../mixins/db.mixin";
import { invoiceFromOrder } from "./invoice-issue";
import { invoiceAttributes } from "./invoice.model";
import { migrations } from "./migrations";

interface InvoicesSettings extends ServiceSettingSchema {
  /** days from issue to due date */
  paymentTermsDays: number;
}

interface InvoicesMethods extends DbMethods {
  issueInvoice(ctx: Context, order: OrderCreatedData, transaction: Transaction): Promise<void>;
  nextSequence(year: number, transaction: Transaction): Promise<number>;
}

/**
 * Invoices: turns every created order into exactly one invoice in the `invoices` database,
 * from the data the event carries (it never calls orders back).
 */
const InvoicesServiceSchema: ServiceSchema<InvoicesSettings, InvoicesMethods> = {
  name: "invoices",

  mixins: [
    dbMixin({
      urlEnv: "INVOICES_DATABASE_URL",
      entityName: "Invoice",
      table: "invoices",
      attributes: invoiceAttributes,
      migrations,
      publishes: [INVOICE_ISSUED],
    }),
  ],

  settings: {
    paymentTermsDays: Number(process.env.PAYMENT_TERMS_DAYS ?? 30),
  },

  // GET /invoices/:id is the db mixin's `get`.
  actions: {
    /** GET /invoices — newest first, filtered by order, customer and status. */
    list: {
      params: listInvoicesParams,
      handler(ctx: Context<ListInvoicesParams>) {
        const { orderId, customerId, status, page, pageSize } = ctx.params;
        return this.listPage<Invoice>(ctx, { orderId, customerId, status }, { page, pageSize });
      },
    },
  },

  events: {
    /** Issue the order's invoice, once, and announce it with `invoice.issued` (outbox). */
    [ORDER_CREATED.name]: {
      handler(ctx: Context<EventEnvelope<OrderCreatedData>>) {
        return this.consumeOnce(ctx, ORDER_CREATED, (transaction) => this.issueInvoice(ctx, ctx.params.data, transaction));
      },
    },
  },

  methods: {
    /**
     * One invoice per order, also when two messages for one order race: the loser fails on
     * UNIQUE(order_id), its transaction rolls back (number handed back: no gap), and its retry
     * finds the invoice already there.
     */
    async issueInvoice(ctx: Context, order: OrderCreatedData, transaction: Transaction): Promise<void> {
      const existing = await this.model.findOne({ where: { orderId: order.orderId }, transaction });
      if (existing) return;
      const issuedAt = new Date();
      const sequence = await this.nextSequence(issuedAt.getUTCFullYear(), transaction);
      const invoice = invoiceFromOrder(order, {
        id: randomUUID(),
        sequence,
        issuedAt,
        paymentTermsDays: this.settings.paymentTermsDays,
      });
      await this.model.create({ ...invoice }, { transaction });
      await this.publish(ctx, transaction, INVOICE_ISSUED, {
        invoiceId: invoice.id,
        orderId: invoice.orderId,
        number: invoice.number,
        currency: invoice.currency,
        total: invoice.total,
        issuedAt: invoice.issuedAt.toISOString(),
        dueAt: invoice.dueAt.toISOString(),
      });
    },

    /** The year's next invoice number; the counter row stays locked until the transaction ends. */
    async nextSequence(year: number, transaction: Transaction): Promise<number> {
      const [row] = await this.model.sequelize!.query<{ last_value: number }>(
        `INSERT INTO invoice_counters (year, last_value) VALUES (:year, 1)
         ON CONFLICT (year) DO UPDATE SET last_value = invoice_counters.last_value + 1
         RETURNING last_value`,
        { replacements: { year }, transaction, type: QueryTypes.SELECT },
      );
      return row.last_value;
    },
  },
};

export default InvoicesServiceSchema;
