import { defineEvent } from "./envelope";

/** An invoice was paid; orders marks the order `paid`. */
export interface InvoicePaidData {
  invoiceId: string;
  orderId: string;
  paidAt: string;
}

export const INVOICE_PAID = defineEvent<InvoicePaidData>("invoice.paid", 1, ["orders"], {
  invoiceId: { type: "uuid" },
  orderId: { type: "uuid" },
  paidAt: { type: "string" },
});
