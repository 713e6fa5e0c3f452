import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import fc from "fast-check";
import { CURRENCIES, MAX_ITEMS, MAX_QUANTITY, MAX_UNIT_PRICE } from "../contracts/money";
import type { CreateOrderParams } from "../contracts/orders";
import { type Answer, type Ledger, type Snapshot, violations } from "./chaos-invariants";
import type { LocalCluster } from "./local-cluster";
import { query } from "./postgres-admin";

/**
 * The randomized concurrency run: clients doing what clients may (create orders with and without
 * an Idempotency-Key, small and at the documented maxima, send the same keyed request again, cancel,
 * pay, cancel and pay the same order at once) while nodes are killed and restarted; then, at rest,
 * the promise is checked against what the clients were told (chaos-invariants.ts). Operations come
 * from fast-check with a seed: the same seed gives the same operations (their interleaving depends on
 * timing), so a failure can be replayed.
 */
/** Node settings that let the system come to rest soon after the last kill. */
export const CHAOS_ENV = {
  OUTBOX_POLL_MS: "200",
  OUTBOX_RETRY_BASE_MS: "200",
  OUTBOX_RETRY_MAX_MS: "2000",
  OTEL_SDK_DISABLED: "true",
  LOG_LEVEL: "warn",
};

export interface ChaosOptions {
  seconds: number;
  seed: number;
  /** operations in flight at once */
  clients: number;
  /** node names that may be killed, e.g. ["api", "orders-1", "invoices-1"] */
  killable: string[];
  log: (line: string) => void;
}

export interface ChaosReport {
  seed: number;
  operations: Record<string, number>;
  answers: Record<string, number>;
  kills: number;
  violations: string[];
}

/** The least time between two node kills. */
const KILL_SPACING_MS = 3_000;

type Operation =
  | { kind: "create"; items: CreateOrderParams["items"]; currency: string; keyed: boolean; sends: number }
  | { kind: "create at the maxima"; keyed: boolean; sends: number }
  | { kind: "cancel" | "pay" | "cancel and pay"; pick: number }
  | { kind: "kill"; pick: number; downMs: number };

const item = fc.record({
  sku: fc.stringMatching(/^[A-Z0-9-]{1,64}$/),
  quantity: fc.integer({ min: 1, max: MAX_QUANTITY }),
  unitPrice: fc.integer({ min: 0, max: MAX_UNIT_PRICE }),
});

const operation: fc.Arbitrary<Operation> = fc.oneof(
  {
    weight: 30,
    arbitrary: fc.record({
      kind: fc.constant("create" as const),
      items: fc.array(item, { minLength: 1, maxLength: 5 }),
      currency: fc.constantFrom(...CURRENCIES),
      keyed: fc.boolean(),
      sends: fc.integer({ min: 1, max: 3 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("create at the maxima" as const),
      keyed: fc.boolean(),
      sends: fc.integer({ min: 1, max: 2 }),
    }),
  },
  { weight: 10, arbitrary: fc.record({ kind: fc.constant("cancel" as const), pick: fc.nat() }) },
  { weight: 10, arbitrary: fc.record({ kind: fc.constant("pay" as const), pick: fc.nat() }) },
  { weight: 8, arbitrary: fc.record({ kind: fc.constant("cancel and pay" as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("kill" as const), pick: fc.nat(), downMs: fc.integer({ min: 0, max: 3_000 }) }) },
);

/** An order at every documented maximum that fits the default 64 KB body. */
function largestOrder(customerId: string): CreateOrderParams {
  return {
    customerId,
    customer: { name: "N".repeat(200), email: `${"e".repeat(64)}@${"d".repeat(63)}.${"d".repeat(63)}.${"d".repeat(57)}.com` },
    currency: "EUR",
    items: Array.from({ length: MAX_ITEMS }, (_, i) => ({
      sku: `SKU-${i}-`.padEnd(64, "s"),
      description: `Item ${i} `.padEnd(500, "d"),
      quantity: MAX_QUANTITY,
      unitPrice: MAX_UNIT_PRICE,
    })),
  };
}

async function send(url: string, method: string, path: string, body?: unknown, key?: string): Promise<Answer> {
  try {
    const res = await fetch(`${url}${path}`, {
      method,
      body: body === undefined ? undefined : JSON.stringify(body),
      headers: { ...(body === undefined ? {} : { "content-type": "application/json" }), ...(key ? { "idempotency-key": key } : {}) },
      signal: AbortSignal.timeout(30_000),
    });
    const json = (await res.json().catch(() => ({}))) as { id?: string; type?: string; paidAt?: string };
    return { status: res.status, type: json.type, id: json.id, paidAt: json.paidAt };
  } catch {
    // No gateway to answer (it is down, or restarting).
    return { status: 0 };
  }
}

export async function runChaos(cluster: LocalCluster, options: ChaosOptions): Promise<ChaosReport> {
  const { url } = cluster;
  const ledger: Ledger = { creates: [], cancels: [], pays: [] };
  const orders: Array<{ id: string }> = [];
  const counts: Record<string, number> = {};
  const down = new Set<string>();
  let kills = 0;
  let lastKill = 0;
  const operations = fc.sample(fc.infiniteStream(operation), { seed: options.seed, numRuns: 1 })[0][Symbol.iterator]();
  const next = () => operations.next().value as Operation;

  async function create(body: CreateOrderParams, keyed: boolean, sends: number): Promise<Answer[]> {
    const key = keyed ? randomUUID() : undefined;
    const answers = await Promise.all(Array.from({ length: keyed ? sends : 1 }, () => send(url, "POST", "/orders", body, key)));
    ledger.creates.push({ customerId: body.customerId, keyed, answers });
    const accepted = answers.find((a) => a.status === 201);
    if (accepted) orders.push({ id: accepted.id! });
    return answers;
  }
  async function invoiceOf(orderId: string): Promise<string | undefined> {
    const res = await fetch(`${url}/invoices?orderId=${orderId}`).then(
      (r) => r.json(),
      () => undefined,
    );
    return (res as { rows?: Array<{ id: string }> } | undefined)?.rows?.[0]?.id;
  }
  async function cancel(orderId: string): Promise<Answer[]> {
    const answer = await send(url, "POST", `/orders/${orderId}/cancel`);
    ledger.cancels.push({ orderId, answer });
    return [answer];
  }
  async function pay(invoiceId: string): Promise<Answer[]> {
    const answer = await send(url, "POST", `/invoices/${invoiceId}/pay`);
    ledger.pays.push({ invoiceId, answer });
    return [answer];
  }

  /** Performs one operation; resolves to the answers the clients got. */
  async function perform(op: Operation, n: number): Promise<Answer[]> {
    counts[op.kind] = (counts[op.kind] ?? 0) + 1;
    const customerId = `chaos-${options.seed}-${n}`;
    if (op.kind === "create")
      return create(
        { customerId, customer: { name: "Chaos", email: "chaos@example.com" }, currency: op.currency, items: op.items },
        op.keyed,
        op.sends,
      );
    if (op.kind === "create at the maxima") return create(largestOrder(customerId), op.keyed, op.sends);
    if (op.kind === "kill") {
      const name = options.killable[op.pick % options.killable.length];
      // One node down at a time, and time in between for clients to get work done.
      if (down.size > 0 || !cluster.nodes.has(name) || Date.now() - lastKill < KILL_SPACING_MS) return [];
      lastKill = Date.now();
      down.add(name);
      kills++;
      options.log(`kill ${name}, back in ${op.downMs} ms`);
      await cluster.kill(name);
      await sleep(op.downMs);
      cluster.start(name);
      down.delete(name);
      return [];
    }
    const order = orders[op.pick % Math.max(orders.length, 1)];
    if (!order) return [];
    if (op.kind === "cancel") return cancel(order.id);
    const invoiceId = await invoiceOf(order.id);
    if (!invoiceId) return [];
    if (op.kind === "pay") return pay(invoiceId);
    return (await Promise.all([cancel(order.id), pay(invoiceId)])).flat();
  }

  let n = 0;
  const until = Date.now() + options.seconds * 1_000;
  await Promise.all(
    Array.from({ length: options.clients }, async () => {
      while (Date.now() < until) {
        const answers = await perform(next(), n++);
        // A client told to wait (503), or finding no gateway at all, waits a moment, as a well-behaved one does.
        if (answers.some((answer) => answer.status === 0 || answer.status === 503)) await sleep(250);
      }
    }),
  );

  options.log(`${n} operations done; waiting for the system to come to rest`);
  await cluster.waitUntilReady(120);
  const snapshot = await restingSnapshot(cluster);
  const answers: Record<string, number> = {};
  for (const answer of [
    ...ledger.creates.flatMap((c) => c.answers),
    ...ledger.cancels.map((c) => c.answer),
    ...ledger.pays.map((p) => p.answer),
  ]) {
    const label = `${answer.status}${answer.type ? ` ${answer.type}` : ""}`;
    answers[label] = (answers[label] ?? 0) + 1;
  }
  return { seed: options.seed, operations: counts, answers, kills, violations: violations(ledger, snapshot) };
}

/**
 * The databases once nothing is in flight: no order pending and no outbox message owed, or, after two
 * minutes, as they are (the checks then say what did not settle).
 */
async function restingSnapshot(cluster: LocalCluster): Promise<Snapshot> {
  const { orders: ordersDb, invoices: invoicesDb } = cluster.databases;
  const outbox = async (db: string) =>
    (
      await query<{ pending: number; parked: number }>(
        db,
        "SELECT count(*) FILTER (WHERE parked_at IS NULL)::int AS pending, count(*) FILTER (WHERE parked_at IS NOT NULL)::int AS parked FROM outbox",
      )
    )[0];
  for (const deadline = Date.now() + 120_000; Date.now() < deadline; await sleep(500)) {
    const [pendingOrders] = await query<{ n: number }>(ordersDb, "SELECT count(*)::int AS n FROM orders WHERE status = 'pending'");
    const [owedByOrders, owedByInvoices] = [await outbox(ordersDb), await outbox(invoicesDb)];
    if (pendingOrders.n === 0 && owedByOrders.pending === 0 && owedByInvoices.pending === 0) break;
  }
  return {
    orders: await query(ordersDb, "SELECT id, customer_id, status, invoice_id, total::text, currency FROM orders"),
    invoices: await query(invoicesDb, "SELECT id, order_id, number, status, total::text, currency, paid_at FROM invoices"),
    outbox: { orders: await outbox(ordersDb), invoices: await outbox(invoicesDb) },
  };
}
