import { readdirSync, readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import type autocannon from "autocannon";
import pg from "pg";
import { query } from "./postgres-admin";

/** An autocannon run's answers counted by HTTP status. */
export const statusCounts = (result: autocannon.Result): Record<string, number> =>
  Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, s]) => [code, s.count ?? 0]));

export const percentile = (sorted: number[], p: number) =>
  sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

export interface Outcome {
  orders: number;
  lost: number;
  duplicates: number;
  lagP50Ms: number;
  lagP99Ms: number;
}

/**
 * Waits (up to `timeoutMs`) until every order created since `since` has its invoice, then counts what
 * the guarantee is about: orders without invoice, invoices beyond one per order, and order → invoice lag.
 */
export async function settle(ordersDb: string, invoicesDb: string, timeoutMs: number, since: Date): Promise<Outcome> {
  const deadline = Date.now() + timeoutMs;
  let orders: Array<{ id: string; created: number }> = [];
  let invoices: Array<{ order_id: string; created: number }> = [];
  do {
    orders = await query(ordersDb, "SELECT id, extract(epoch FROM created_at) * 1000 AS created FROM orders WHERE created_at >= $1", [
      since,
    ]);
    invoices = await query(
      invoicesDb,
      "SELECT order_id, extract(epoch FROM created_at) * 1000 AS created FROM invoices WHERE created_at >= $1",
      [since],
    );
    if (new Set(invoices.map((i) => i.order_id)).size >= orders.length) break;
    await sleep(500);
  } while (Date.now() < deadline);
  const issued = new Map<string, number>();
  for (const invoice of invoices) issued.set(invoice.order_id, Number(invoice.created));
  const lags = orders
    .filter((o) => issued.has(o.id))
    .map((o) => issued.get(o.id)! - Number(o.created))
    .sort((a, b) => a - b);
  return {
    orders: orders.length,
    lost: orders.filter((o) => !issued.has(o.id)).length,
    duplicates: invoices.length - issued.size,
    lagP50Ms: Math.round(percentile(lags, 50)),
    lagP99Ms: Math.round(percentile(lags, 99)),
  };
}

export interface ProcessStats {
  cpuSeconds: number;
  peakRssMb: number;
}

const CLOCK_TICKS = 100;

/** CPU time (user + system) a live process has used so far, from /proc (Linux). */
function cpuSecondsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** CPU time used so far and peak resident memory of a live process. */
export function processStats(pid: number): ProcessStats {
  const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return { cpuSeconds: cpuSecondsOf(pid), peakRssMb: Math.round(Number(hwm?.[1] ?? 0) / 1024) };
}

/**
 * CPU time used so far by every process of a program on this machine, by name (`postgres`,
 * `beam.smp`): what a local PostgreSQL or RabbitMQ spends. Processes that ended are not counted.
 */
export function programCpuSeconds(name: string): number {
  let total = 0;
  for (const pid of readdirSync("/proc").filter((entry) => /^\d+$/.test(entry))) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, "utf8").trim() === name) total += cpuSecondsOf(Number(pid));
    } catch {
      // The process ended while being read.
    }
  }
  return total;
}

/** Busy and total CPU time of the whole machine so far, all cores together (/proc/stat). */
export function machineCpuSeconds(): { busy: number; total: number } {
  // user nice system idle iowait irq softirq steal (guest time is already in user)
  const ticks = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1, 9).map(Number);
  const total = ticks.reduce((sum, tick) => sum + tick, 0);
  const idle = ticks[3] + ticks[4];
  return { busy: (total - idle) / CLOCK_TICKS, total: total / CLOCK_TICKS };
}

/**
 * The database's own limit for what one order costs it: INSERT order + INSERT outbox in one
 * transaction, from `poolSize` connections for `seconds`, on scratch copies of the real tables.
 */
export async function insertWithOutboxPerSecond(url: string, poolSize: number, seconds: number): Promise<number> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  await pool.query("CREATE TABLE bench_orders (LIKE orders INCLUDING ALL); CREATE TABLE bench_outbox (LIKE outbox INCLUDING ALL)");
  const item = JSON.stringify([{ sku: "A", description: "", quantity: 1, unitPrice: 100, total: 100 }]);
  const end = Date.now() + seconds * 1000;
  let done = 0;
  await Promise.all(
    Array.from({ length: poolSize }, async () => {
      while (Date.now() < end) {
        const client = await pool.connect();
        try {
          await client.query("BEGIN");
          await client.query(
            `INSERT INTO bench_orders (id, customer_id, customer, currency, items, total)
             VALUES (gen_random_uuid(), 'bench', '{"name":"B","email":"b@example.com"}', 'EUR', $1, 100)`,
            [item],
          );
          await client.query(
            `INSERT INTO bench_outbox (id, type, envelope, consumers) VALUES (gen_random_uuid(), 'order.created', '{}', '{invoices}')`,
          );
          await client.query("COMMIT");
          done++;
        } finally {
          client.release();
        }
      }
    }),
  );
  await pool.query("DROP TABLE bench_orders; DROP TABLE bench_outbox");
  await pool.end();
  return Math.round(done / seconds);
}
