import type { Context, ServiceSchema, ServiceSettingSchema } from "moleculer";
import type { EventEnvelope } from "../../contracts/events/envelope";
import { INVOICE_CREDITED } from "../../contracts/events/invoice-credited";
import { INVOICE_ISSUED } from "../../contracts/events/invoice-issued";
import { INVOICE_PAID } from "../../contracts/events/invoice-paid";
import { INVOICE_VOIDED } from "../../contracts/events/invoice-voided";
import { ORDER_CANCELLED, type OrderCancelledData } from "../../contracts/events/order-cancelled";
import { ORDER_CREATED, type OrderCreatedData } from "../../contracts/events/order-created";
import type { HttpMeta } from "../../contracts/http";
import { newId } from "../../contracts/ids";
import { type Invoice, type ListInvoicesParams, listInvoicesParams } from "../../contracts/invoices";
import { type IdParams, idParams } from "../../contracts/paging";
import { config } from "../../mixins/config";
import { type DbMethods, dbMixin, SqlStatement } from "../../mixins/db";
import { type Consumed, type MessagingMethods, messagingMixin, notYet } from "../../mixins/messaging";
import { admission, observe } from "../../mixins/moleculer";
import { type CommandMethods, commandsMixin, type UnitOfWork } from "../../mixins/units";
import { invoiceAttributes } from "./invoice.model";
import { invoiceFromOrder } from "./invoice-issue";
import { lateInvoices } from "./invoice-lag";
import { afterOrderCancelled, invoiceStatus } from "./invoice-status";
import { migrations } from "./migrations";

interface InvoicesSettings extends ServiceSettingSchema {
  /** days from issue to due date */
  paymentTermsDays: number;
}

/**
 * An invoice issued for a message, how long after its order, and, for the one of a batch that waited
 * longest if it was late, how many in the batch were late.
 */
interface Issued {
  invoice: ReturnType<typeof invoiceFromOrder>;
  lagSeconds: number;
  lateInBatch?: number;
}

/** `$2` more numbers of year `$1`; returns the last of them. */
const RESERVE_NUMBERS = new SqlStatement<{ last_value: number }>(
  `INSERT INTO invoice_counters (year, last_value) VALUES ($1, $2)
   ON CONFLICT (year) DO UPDATE SET last_value = invoice_counters.last_value + $2
   RETURNING last_value`,
  { prepareAs: "reserve invoice numbers" },
);

/** Of orders `$1`, those already invoiced. */
const INVOICED = new SqlStatement<{ order_id: string }>(`SELECT order_id FROM invoices WHERE order_id = ANY ($1::uuid[])`);

type Settled = Pick<Invoice, "id" | "orderId" | "status" | "total" | "currency">;

interface InvoicesMethods extends DbMethods, MessagingMethods, CommandMethods {
  issueInvoices(messages: Consumed<OrderCreatedData>[], unit: UnitOfWork): Promise<Array<Issued | undefined>>;
  settleCancellations(messages: Consumed<OrderCancelledData>[], unit: UnitOfWork): Promise<void>;
  reserveNumbers(year: number, count: number, unit: UnitOfWork): Promise<number>;
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
      // the time an invoice states, not its row's createdAt, which is stamped a moment later
      listedBy: "issuedAt",
      migrations,
    }),
    messagingMixin({ publishes: [INVOICE_ISSUED, INVOICE_PAID, INVOICE_VOIDED, INVOICE_CREDITED] }),
    commandsMixin(),
  ],

  settings: {
    paymentTermsDays: config().PAYMENT_TERMS_DAYS,
  },

  // GET /invoices/:id is the db mixin's `get`.
  actions: {
    /** GET /invoices — newest first (by `issuedAt`), filtered by order, customer and status; by page or cursor. */
    list: {
      ...admission(),
      params: listInvoicesParams,
      handler(ctx: Context<ListInvoicesParams>) {
        const { orderId, customerId, status, ...paging } = ctx.params;
        return this.listPage<Invoice>(ctx, { orderId, customerId, status }, paging);
      },
    },

    /**
     * POST /invoices/:id/pay — records the payment of an open invoice; `invoice.paid` makes its
     * order `paid`. 409 if void or already paid. Honours `Idempotency-Key`.
     */
    pay: {
      ...admission(),
      params: idParams,
      async handler(ctx: Context<IdParams, HttpMeta>): Promise<Invoice> {
        const { body } = await this.command(
          ctx,
          async (unit) => {
            const locked = await this.lockOrFail<Invoice>(ctx.params.id, unit);
            const now = new Date();
            const change = { id: locked.id, status: invoiceStatus.command(locked.status, "paid"), paidAt: now, updatedAt: now };
            await this.saveAll([change], unit);
            const invoice: Invoice = { ...locked, ...change, paidAt: now.toISOString(), updatedAt: now.toISOString() };
            this.publish(this.causedBy(ctx), unit, INVOICE_PAID, {
              invoiceId: invoice.id,
              orderId: invoice.orderId,
              paidAt: now.toISOString(),
            });
            return invoice;
          },
          { locks: ctx.params.id },
        );
        return body;
      },
    },
  },

  events: {
    /** Issue the order's invoice, once, and announce it with `invoice.issued` (outbox). */
    [ORDER_CREATED.name]: {
      async handler(ctx: Context<EventEnvelope<OrderCreatedData>>) {
        const issued = await this.consume(ctx, ORDER_CREATED, (messages, unit) => this.issueInvoices(messages, unit));
        if (!issued) return;
        // The product's own service level: how long an accepted order waits for its invoice.
        const { invoice, lagSeconds, lateInBatch } = issued;
        observe(this.broker, "invoice.lag_seconds", lagSeconds);
        const line = `Invoice ${invoice.number} issued for order ${invoice.orderId}, lag ${lagSeconds.toFixed(3)} s`;
        // Late invoices are found in the logs, and their traces from there: one line at info per batch,
        // the longest wait's, rather than thousands while a backlog drains.
        if (lateInBatch) this.logger.info(`${line}, the longest of ${lateInBatch} late invoice(s) issued together`);
        else this.logger.debug(line);
      },
    },

    /**
     * The order was cancelled: its open invoice is voided (`invoice.voided`); a paid one is credited
     * (`invoice.credited`), since a paid invoice is never voided (contracts/lifecycle.ts). Until the
     * invoice has been issued the message waits.
     */
    [ORDER_CANCELLED.name]: {
      async handler(ctx: Context<EventEnvelope<OrderCancelledData>>) {
        await this.consume(ctx, ORDER_CANCELLED, (messages, unit) => this.settleCancellations(messages, unit));
      },
    },
  },

  methods: {
    /**
     * One invoice per order: orders already invoiced (or twice in the batch) are skipped, the rest
     * take the year's next numbers in one step and go in with their `invoice.issued` events. Two
     * batches racing on one order: the loser fails on UNIQUE(order_id) and rolls back (its numbers
     * are handed back: no gap); tried again message by message, it finds the invoice there.
     */
    async issueInvoices(messages: Consumed<OrderCreatedData>[], unit: UnitOfWork): Promise<Array<Issued | undefined>> {
      const orderIds = messages.map(({ envelope }) => envelope.data.orderId);
      const seen = new Set((await INVOICED.run(unit.connection, [orderIds])).map((row) => row.order_id));
      const due: Consumed<OrderCreatedData>[] = [];
      for (const message of messages) {
        if (seen.has(message.envelope.data.orderId)) continue;
        seen.add(message.envelope.data.orderId);
        due.push(message);
      }
      if (due.length === 0) return [];
      const issuedAt = new Date();
      const first = await this.reserveNumbers(issuedAt.getUTCFullYear(), due.length, unit);
      const invoices = due.map(({ envelope }, i) =>
        invoiceFromOrder(envelope.data, {
          id: newId(),
          sequence: first + i,
          issuedAt,
          paymentTermsDays: this.settings.paymentTermsDays,
        }),
      );
      invoices.forEach((invoice, i) => {
        unit.insert(invoice);
        this.publish(due[i].cause, unit, INVOICE_ISSUED, {
          invoiceId: invoice.id,
          orderId: invoice.orderId,
          number: invoice.number,
          currency: invoice.currency,
          total: invoice.total,
          issuedAt: invoice.issuedAt.toISOString(),
          dueAt: invoice.dueAt.toISOString(),
        });
      });
      const lags = due.map(({ envelope }) => (issuedAt.getTime() - Date.parse(envelope.data.createdAt)) / 1000);
      const { late, longest } = lateInvoices(lags);
      const issued = new Map(
        due.map((message, i): [Consumed<OrderCreatedData>, Issued] => [
          message,
          { invoice: invoices[i], lagSeconds: lags[i], ...(i === longest ? { lateInBatch: late } : {}) },
        ]),
      );
      return messages.map((message) => issued.get(message));
    },

    /** Voids or credits the invoices of cancelled orders, their rows locked in the one global order. */
    async settleCancellations(messages: Consumed<OrderCancelledData>[], unit: UnitOfWork): Promise<void> {
      const orderIds = messages.map(({ envelope }) => envelope.data.orderId);
      const invoices = await this.lockAllBy<Settled>("orderId", orderIds, ["id", "orderId", "status", "total", "currency"], unit);
      const ofOrder = new Map(invoices.map((invoice) => [invoice.orderId, invoice]));
      const missing = orderIds.filter((orderId) => !ofOrder.has(orderId));
      if (missing.length > 0) throw notYet("The order's invoice is not issued yet", { orderIds: missing });
      const now = new Date();
      const voided: Array<{ id: string; status: "void"; voidedAt: Date }> = [];
      const credited: Array<{ id: string; status: "credited"; creditedAt: Date }> = [];
      for (const { envelope, cause } of messages) {
        const invoice = ofOrder.get(envelope.data.orderId)!;
        const status = afterOrderCancelled(invoice.status);
        if (!status) continue;
        invoice.status = status;
        const { id, orderId, total, currency } = invoice;
        if (status === "void") {
          voided.push({ id, status, voidedAt: now });
          this.publish(cause, unit, INVOICE_VOIDED, { invoiceId: id, orderId, voidedAt: now.toISOString() });
        } else {
          credited.push({ id, status, creditedAt: now });
          this.publish(cause, unit, INVOICE_CREDITED, { invoiceId: id, orderId, total, currency, creditedAt: now.toISOString() });
        }
      }
      await this.saveAll(voided, unit);
      await this.saveAll(credited, unit);
    },

    /** The first of `count` consecutive numbers of the year; the counter row stays locked until `unit`'s transaction ends. */
    async reserveNumbers(year: number, count: number, unit: UnitOfWork): Promise<number> {
      const [row] = await RESERVE_NUMBERS.run(unit.connection, [year, count]);
      return row.last_value - count + 1;
    },
  },
};

export default InvoicesServiceSchema;
