import { formatInvoiceNumber, invoiceFromOrder } from "../../../services/invoices/invoice-issue";
import { orderCreatedData } from "../../support/fixtures";

const order = orderCreatedData();

describe("formatInvoiceNumber", () => {
  it.each([
    [2026, 1, "INV-2026-000001"],
    [2026, 42, "INV-2026-000042"],
    [2027, 999_999, "INV-2027-999999"],
  ])("year %i, sequence %i → %s", (year, sequence, expected) => {
    expect(formatInvoiceNumber(year, sequence)).toBe(expected);
  });
});

describe("invoiceFromOrder", () => {
  const issuedAt = new Date("2026-12-31T23:30:00.000Z");
  const invoice = invoiceFromOrder(order, { id: "inv-id", sequence: 7, issuedAt, paymentTermsDays: 30 });

  it("copies what it needs from the order (billTo, lines, amounts)", () => {
    expect(invoice).toMatchObject({
      id: "inv-id",
      orderId: order.orderId,
      customerId: "cust-1",
      billTo: { name: "Ada Lovelace", email: "ada@example.com" },
      currency: "EUR",
      lines: order.items,
      total: 3000,
      status: "open",
      paidAt: null,
      voidedAt: null,
      creditedAt: null,
    });
    expect(invoice.lines).not.toBe(order.items);
  });

  it("numbers by the UTC year of issue and is due after the payment terms", () => {
    expect(invoice.number).toBe("INV-2026-000007");
    expect(invoice.dueAt.toISOString()).toBe("2027-01-30T23:30:00.000Z");
  });
});
