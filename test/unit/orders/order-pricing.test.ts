import { priceItems } from "../../../services/orders/order-pricing";

describe("priceItems", () => {
  it("computes line totals and the order total in minor units", () => {
    const { items, total } = priceItems([
      { sku: "A", quantity: 3, unitPrice: 1999 },
      { sku: "B", description: "gift wrap", quantity: 1, unitPrice: 0 },
    ]);
    expect(items).toEqual([
      { sku: "A", description: "", quantity: 3, unitPrice: 1999, total: 5997 },
      { sku: "B", description: "gift wrap", quantity: 1, unitPrice: 0, total: 0 },
    ]);
    expect(total).toBe(5997);
  });

  it("stays exact at the largest order the contract allows", () => {
    const line = { sku: "X", quantity: 10_000, unitPrice: 1_000_000_000 };
    const { total } = priceItems(Array.from({ length: 100 }, () => line));
    expect(total).toBe(1e15);
    expect(Number.isSafeInteger(total)).toBe(true);
  });
});
