import type { OrderStatus } from "../../contracts/orders";
import { stateMachine } from "../../mixins/state-machine";

/** pending → invoiced → paid; pending | invoiced → cancelled. */
export const orderStatus = stateMachine<OrderStatus>(
  "Order",
  {
    pending: ["invoiced", "cancelled"],
    invoiced: ["paid", "cancelled"],
    paid: [],
    cancelled: [],
  },
  { pending: 0, invoiced: 1, paid: 2 },
);

/**
 * What the payment of its invoice makes of an order (contracts/lifecycle.ts): an invoiced order is
 * paid; a cancelled one stays cancelled, since its invoice is credited on the cancellation's arrival;
 * one already paid stays paid (null). `"not yet"` while the order does not know it is invoiced.
 */
export function afterInvoicePaid(current: OrderStatus): "paid" | "not yet" | null {
  if (current === "pending") return "not yet";
  if (current === "invoiced") return "paid";
  return null;
}
