import type { InvoiceStatus } from "../../contracts/invoices";
import { stateMachine } from "../../mixins/state-machine";

/** open → paid | void; paid → credited. */
export const invoiceStatus = stateMachine<InvoiceStatus>(
  "Invoice",
  {
    open: ["paid", "void"],
    paid: ["credited"],
    void: [],
    credited: [],
  },
  { open: 0, paid: 1, credited: 2 },
);

/**
 * What the cancellation of its order makes of an invoice (contracts/lifecycle.ts): an open invoice is
 * voided; a paid one is credited, since a paid invoice is never voided; one already void or credited
 * stays as it is (null).
 */
export function afterOrderCancelled(current: InvoiceStatus): "void" | "credited" | null {
  if (current === "open") return "void";
  if (current === "paid") return "credited";
  return null;
}
