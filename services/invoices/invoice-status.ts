import type { InvoiceStatus } from "../../contracts/invoices";
import { stateMachine } from "../../mixins/state-machine";

/** open → paid | void. */
export const invoiceStatus = stateMachine<InvoiceStatus>(
  "Invoice",
  {
    open: ["paid", "void"],
    paid: [],
    void: [],
  },
  { open: 0, paid: 1 },
);
