import type { OrderCreatedData } from "../../contracts/events/order-created";
import type { Invoice } from "../../contracts/invoices";

const DAY_MS = 24 * 60 * 60 * 1000;

/** INV-<year>-<6-digit sequence>. */
export function formatInvoiceNumber(year: number, sequence: number): string {
  return `INV-${year}-${String(sequence).padStart(6, "0")}`;
}

export interface IssueTerms {
  id: string;
  /** the year's next number, taken inside the invoice's transaction */
  sequence: number;
  issuedAt: Date;
  paymentTermsDays: number;
}

/** The invoice for an order, from the order's own data only (selective replication). */
export function invoiceFromOrder(
  order: OrderCreatedData,
  terms: IssueTerms,
): Omit<Invoice, "issuedAt" | "dueAt" | "createdAt" | "updatedAt"> & {
  issuedAt: Date;
  dueAt: Date;
} {
  return {
    id: terms.id,
    number: formatInvoiceNumber(terms.issuedAt.getUTCFullYear(), terms.sequence),
    orderId: order.orderId,
    customerId: order.customerId,
    billTo: { name: order.customer.name, email: order.customer.email },
    currency: order.currency,
    lines: order.items.map((item) => ({ ...item })),
    total: order.total,
    status: "open",
    issuedAt: terms.issuedAt,
    dueAt: new Date(terms.issuedAt.getTime() + terms.paymentTermsDays * DAY_MS),
    paidAt: null,
    voidedAt: null,
    creditedAt: null,
  };
}
