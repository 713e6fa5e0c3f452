import type { Customer, OrderItem } from "../orders";
import { defineEvent } from "./envelope";

/** An order was accepted; invoices turns it into an invoice. */
export interface OrderCreatedData {
  orderId: string;
  customerId: string;
  customer: Customer;
  currency: string;
  items: OrderItem[];
  total: number;
  createdAt: string;
}

export const ORDER_CREATED = defineEvent<OrderCreatedData>("order.created", 1, ["invoices"], {
  orderId: { type: "uuid" },
  customerId: { type: "string" },
  customer: { type: "object", props: { name: { type: "string" }, email: { type: "string" } } },
  currency: { type: "string", length: 3 },
  items: {
    type: "array",
    min: 1,
    items: {
      type: "object",
      props: {
        sku: { type: "string" },
        description: { type: "string" },
        quantity: { type: "number", integer: true },
        unitPrice: { type: "number", integer: true },
        total: { type: "number", integer: true },
      },
    },
  },
  total: { type: "number", integer: true },
  createdAt: { type: "string" },
});
