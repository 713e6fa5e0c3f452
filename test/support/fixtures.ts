import type { OrderCreatedData } from "../../contracts/events/order-created";

/** The data of an `order.created` event, as the orders service would publish it. */
export const orderCreatedData = (): OrderCreatedData => ({
  orderId: "0b7c4c36-6f0e-4f43-9d59-0f3c1f1b6a10",
  customerId: "cust-1",
  customer: { name: "Ada Lovelace", email: "ada@example.com" },
  currency: "EUR",
  items: [{ sku: "BOOK", description: "Notes", quantity: 2, unitPrice: 1500, total: 3000 }],
  total: 3000,
  createdAt: "2026-03-01T10:00:00.000Z",
});
