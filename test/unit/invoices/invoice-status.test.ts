import { INVOICE_STATUSES, type InvoiceStatus } from "../../../contracts/invoices";
import { afterOrderCancelled, invoiceStatus } from "../../../services/invoices/invoice-status";

const EXPECTED: Record<InvoiceStatus, Record<InvoiceStatus, InvoiceStatus | null | 409>> = {
  open: { open: null, paid: "paid", void: "void", credited: 409 },
  paid: { open: null, paid: null, void: 409, credited: "credited" },
  void: { open: 409, paid: 409, void: null, credited: 409 },
  credited: { open: null, paid: null, void: 409, credited: null },
};

describe("invoice status", () => {
  const cases = INVOICE_STATUSES.flatMap((from) => INVOICE_STATUSES.map((to) => [from, to, EXPECTED[from][to]] as const));

  it.each(cases)("%s → %s gives %s for an event", (from, to, expected) => {
    if (expected === 409) expect(() => invoiceStatus.transition(from, to)).toThrow(expect.objectContaining({ code: 409 }));
    else expect(invoiceStatus.transition(from, to)).toBe(expected);
  });

  it.each(cases)("%s → %s for a command: only real moves pass", (from, to, expected) => {
    if (typeof expected === "string") expect(invoiceStatus.command(from, to)).toBe(expected);
    else
      expect(() => invoiceStatus.command(from, to)).toThrow(
        expect.objectContaining({ code: 409, data: expect.objectContaining({ status: from }) }),
      );
  });
});

describe("the cancellation of its order", () => {
  it.each([
    ["open", "void"],
    ["paid", "credited"],
    ["void", null],
    ["credited", null],
  ] as const)("makes a %s invoice %s: a paid invoice is credited, never voided", (from, to) => {
    expect(afterOrderCancelled(from)).toBe(to);
  });
});
