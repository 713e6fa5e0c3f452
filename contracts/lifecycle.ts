import type { InvoiceStatus } from "./invoices";
import type { OrderStatus } from "./orders";

/**
 * The combined states an order and its invoice may be in at rest (nothing in flight), and nothing
 * else; the README shows the same table. Between them, a cancel racing a payment is decided by the
 * invoice, the authority on money: a paid invoice is never voided, it is credited, so an order
 * cancelled after (or while) its invoice was paid ends `cancelled` with its invoice `credited`.
 */
export const RESTING_STATES: ReadonlyArray<readonly [OrderStatus, InvoiceStatus]> = [
  ["invoiced", "open"],
  ["paid", "paid"],
  ["cancelled", "void"],
  ["cancelled", "credited"],
];

export function isRestingState(order: OrderStatus, invoice: InvoiceStatus): boolean {
  return RESTING_STATES.some(([o, i]) => o === order && i === invoice);
}
