import type { InvoiceStatus } from "../contracts/invoices";
import { isRestingState } from "../contracts/lifecycle";
import type { OrderStatus } from "../contracts/orders";

/** What a client was answered: a status and, for errors, the error's type; no answer at all is `status: 0`. */
export interface Answer {
  status: number;
  type?: string;
  /** the created order's id (201) */
  id?: string;
  /** the paid invoice's paidAt (pay, 200) */
  paidAt?: string;
}

/** What the clients did and were told: the ledger the invariants are checked against. */
export interface Ledger {
  /** one entry per logical order (its own customerId), with the answer to each send of it (several: the same Idempotency-Key) */
  creates: Array<{ customerId: string; keyed: boolean; answers: Answer[] }>;
  cancels: Array<{ orderId: string; answer: Answer }>;
  pays: Array<{ invoiceId: string; answer: Answer }>;
}

/** The two databases at rest. */
export interface Snapshot {
  orders: Array<{ id: string; customer_id: string; status: OrderStatus; invoice_id: string | null; total: string; currency: string }>;
  invoices: Array<{
    id: string;
    order_id: string;
    number: string;
    status: InvoiceStatus;
    total: string;
    currency: string;
    paid_at: Date | null;
  }>;
  /** outbox rows still owed or parked, per service */
  outbox: Record<string, { pending: number; parked: number }>;
}

/** The 503s that say "nothing was done" (README, What an answer means). */
const NOT_DONE = new Set(["OVERLOADED", "DEADLINE_EXCEEDED", "DATABASE_BUSY", "DATABASE_UNAVAILABLE", "SERVICE_UNAVAILABLE"]);

/** An answer after which the request may or may not have been done: none at all, or OUTCOME_UNKNOWN. */
export function isInDoubt(answer: Answer): boolean {
  return answer.status === 0 || answer.type === "OUTCOME_UNKNOWN";
}

/** An answer that says the request was not done. */
function isRefusal(answer: Answer): boolean {
  return (answer.status >= 400 && answer.status < 500) || (answer.status === 503 && NOT_DONE.has(answer.type ?? ""));
}

/**
 * The project's promise, checked at rest: every violation in plain words (none: kept).
 * - every order has exactly one invoice, every invoice its order, and the two agree (amount, currency, links);
 * - every pair is one of the resting states (contracts/lifecycle.ts);
 * - invoice numbers are unique and gapless within each year;
 * - nothing is owed or parked in any outbox;
 * - every answer holds: a 201 order exists, once, under every send of its key; an order answered only
 *   with refusals does not exist; a cancel answered 200 left the order cancelled; a payment answered
 *   200 is recorded (its invoice paid, or credited after its order's cancellation); no answer was a 500.
 */
export function violations(ledger: Ledger, snapshot: Snapshot): string[] {
  const found: string[] = [];
  const orderById = new Map(snapshot.orders.map((order) => [order.id, order]));
  const invoiceById = new Map(snapshot.invoices.map((invoice) => [invoice.id, invoice]));
  const invoicesOf = new Map<string, Snapshot["invoices"]>();
  for (const invoice of snapshot.invoices) invoicesOf.set(invoice.order_id, [...(invoicesOf.get(invoice.order_id) ?? []), invoice]);

  for (const order of snapshot.orders) {
    const invoices = invoicesOf.get(order.id) ?? [];
    if (invoices.length !== 1) {
      found.push(`order ${order.id} (${order.status}) has ${invoices.length} invoices`);
      continue;
    }
    const [invoice] = invoices;
    if (order.invoice_id !== invoice.id)
      found.push(`order ${order.id} points at invoice ${order.invoice_id}, its invoice is ${invoice.id}`);
    if (order.total !== invoice.total || order.currency !== invoice.currency)
      found.push(`order ${order.id} and invoice ${invoice.id} disagree on the amount`);
    if (!isRestingState(order.status, invoice.status)) found.push(`order ${order.id} is ${order.status} and its invoice ${invoice.status}`);
  }
  for (const invoice of snapshot.invoices) {
    if (!orderById.has(invoice.order_id)) found.push(`invoice ${invoice.number} has no order (${invoice.order_id})`);
  }

  const sequences = new Map<string, number[]>();
  for (const { number } of snapshot.invoices) {
    const [, year, sequence] = number.split("-");
    sequences.set(year, [...(sequences.get(year) ?? []), Number(sequence)]);
  }
  for (const [year, numbers] of sequences) {
    numbers.sort((a, b) => a - b);
    if (numbers.some((n, i) => n !== i + 1)) found.push(`invoice numbers of ${year} are not 1..${numbers.length} without gap or duplicate`);
  }

  for (const [service, { pending, parked }] of Object.entries(snapshot.outbox)) {
    if (pending > 0) found.push(`${service}: ${pending} outbox message(s) still pending at rest`);
    if (parked > 0) found.push(`${service}: ${parked} message(s) parked`);
  }

  const ordersOf = new Map<string, string[]>();
  for (const order of snapshot.orders) ordersOf.set(order.customer_id, [...(ordersOf.get(order.customer_id) ?? []), order.id]);
  const every = [...ledger.creates.flatMap((c) => c.answers), ...ledger.cancels.map((c) => c.answer), ...ledger.pays.map((p) => p.answer)];
  const servers = every.filter((answer) => answer.status >= 500 && !isRefusal(answer) && !isInDoubt(answer));
  if (servers.length > 0)
    found.push(`${servers.length} answer(s) were server faults: ${[...new Set(servers.map((a) => `${a.status} ${a.type}`))].join(", ")}`);

  const told = (answers: Answer[]) => answers.map((a) => `${a.status}${a.type ? ` ${a.type}` : ""}`).join(", ");
  for (const { customerId, keyed, answers } of ledger.creates) {
    const stored = ordersOf.get(customerId) ?? [];
    const accepted = new Set(answers.filter((a) => a.status === 201).map((a) => a.id));
    if (accepted.size > 1) found.push(`${customerId}: one key, ${accepted.size} different orders answered`);
    if (stored.length > 1)
      found.push(`${customerId}: created ${stored.length} times (${keyed ? "one key" : "no key"}; answered ${told(answers)})`);
    if (accepted.size > 0 && !stored.some((id) => accepted.has(id))) found.push(`${customerId}: answered 201 but not stored`);
    if (accepted.size === 0 && stored.length > 0 && answers.every(isRefusal)) {
      found.push(`${customerId}: refused (${told(answers)}) yet stored`);
    }
  }
  for (const { orderId, answer } of ledger.cancels) {
    if (answer.status === 200 && orderById.get(orderId)?.status !== "cancelled")
      found.push(`cancel of ${orderId} answered 200, order is ${orderById.get(orderId)?.status}`);
  }
  for (const { invoiceId, answer } of ledger.pays) {
    const invoice = invoiceById.get(invoiceId);
    if (answer.status !== 200) continue;
    if (!invoice || !["paid", "credited"].includes(invoice.status) || invoice.paid_at?.toISOString() !== answer.paidAt) {
      found.push(`payment of ${invoiceId} answered 200, invoice is ${invoice?.status} (paid at ${invoice?.paid_at?.toISOString()})`);
    }
  }
  return found;
}
