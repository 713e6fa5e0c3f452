import { defineEvent } from "./envelope";

/**
 * A paid invoice's payment was credited back because its order was cancelled (the race rule in
 * contracts/lifecycle.ts). The order is already cancelled, so it names no consumer today.
 */
export interface InvoiceCreditedData {
  invoiceId: string;
  orderId: string;
  total: number;
  currency: string;
  creditedAt: string;
}

export const INVOICE_CREDITED = defineEvent<InvoiceCreditedData>("invoice.credited", 1, [], {
  invoiceId: { type: "uuid" },
  orderId: { type: "uuid" },
  total: { type: "number", integer: true },
  currency: { type: "string", length: 3 },
  creditedAt: { type: "string" },
});
