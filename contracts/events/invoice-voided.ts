import { defineEvent } from "./envelope";

/**
 * An invoice was voided after its order's cancellation. Nobody needs to act on it today (the order
 * is already cancelled), so it names no consumer: nothing is owed, and the outbox does not keep it.
 */
export interface InvoiceVoidedData {
  invoiceId: string;
  orderId: string;
  voidedAt: string;
}

export const INVOICE_VOIDED = defineEvent<InvoiceVoidedData>("invoice.voided", 1, [], {
  invoiceId: { type: "uuid" },
  orderId: { type: "uuid" },
  voidedAt: { type: "string" },
});
