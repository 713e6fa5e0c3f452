import type { OrderItem, OrderItemInput } from "../../contracts/orders";

/** Line totals and the order total, in integer minor units. */
export function priceItems(items: OrderItemInput[]): { items: OrderItem[]; total: number } {
  const priced = items.map((item) => ({
    sku: item.sku,
    description: item.description ?? "",
    quantity: item.quantity,
    unitPrice: item.unitPrice,
    total: item.quantity * item.unitPrice,
  }));
  return { items: priced, total: priced.reduce((sum, item) => sum + item.total, 0) };
}
