import { defineEvent } from "./envelope";

/** An order was cancelled; invoices voids its invoice. */
export interface OrderCancelledData {
  orderId: string;
  cancelledAt: string;
}

export const ORDER_CANCELLED = defineEvent<OrderCancelledData>("order.cancelled", 1, ["invoices"], {
  orderId: { type: "uuid" },
  cancelledAt: { type: "string" },
});
