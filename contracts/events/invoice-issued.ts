import { defineEvent } from "./envelope";

/** An invoice exists for an order; orders marks the order `invoiced`. */
export interface InvoiceIssuedData {
  invoiceId: string;
  orderId: string;
  number: string;
  currency: string;
  total: number;
  issuedAt: string;
  dueAt: string;
}

export const INVOICE_ISSUED = defineEvent<InvoiceIssuedData>("invoice.issued", 1, ["orders"], {
  invoiceId: { type: "uuid" },
  orderId: { type: "uuid" },
  number: { type: "string" },
  currency: { type: "string", length: 3 },
  total: { type: "number", integer: true },
  issuedAt: { type: "string" },
  dueAt: { type: "string" },
});
