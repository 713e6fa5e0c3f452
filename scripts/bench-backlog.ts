import type autocannon from "autocannon";
import { processStats, settle, statusCounts } from "./bench-measure";
import type { LocalCluster } from "./local-cluster";
import { query } from "./postgres-admin";

/**
 * `--backlog N`: the invoices nodes shut down, N orders created, the invoices nodes started again. How
 * fast the backlog drains against the rate it arrived at, and how much memory each node took meanwhile.
 */
export interface Backlog {
  orders: number;
  statuses: Record<string, number>;
  /** orders/s while the backlog built up (the invoices nodes down) */
  arrivalPerSecond: number;
  /**
   * invoices/s from the backlog's first invoice to its last (the first batch's own time left out: a small
   * backlog's rate is overstated); null when none was issued
   */
  drainPerSecond: number | null;
  /** from the invoices nodes' start to the last invoice, their start and discovery included; null when none was issued */
  secondsToDrained: number | null;
  lost: number;
  duplicates: number;
  /** each node's peak resident memory: the invoices nodes' since they started again, the others' over the whole round */
  peakRssMb: Record<string, number>;
}

export async function drainBacklog(
  cluster: LocalCluster,
  createOrders: (count: number) => Promise<autocannon.Result>,
  count: number,
  settleMs: number,
): Promise<Backlog> {
  const invoicesNodes = [...cluster.nodes.keys()].filter((name) => name.startsWith("invoices-"));
  await Promise.all(invoicesNodes.map((name) => cluster.shutDown(name)));
  const since = new Date();
  const result = await createOrders(count);
  const restarted = Date.now();
  for (const name of invoicesNodes) cluster.start(name);
  const outcome = await settle(cluster.databases.orders, cluster.databases.invoices, settleMs, since);
  // From the rows' own timestamps: the load generator only notices its last answer on its next tick.
  const arrival = await timeSpan(cluster.databases.orders, "orders", since);
  const drain = await timeSpan(cluster.databases.invoices, "invoices", since);
  return {
    orders: outcome.orders,
    statuses: statusCounts(result),
    arrivalPerSecond: arrival ? Math.round(outcome.orders / arrival.seconds) : 0,
    drainPerSecond: drain ? Math.round((outcome.orders - outcome.lost) / drain.seconds) : null,
    secondsToDrained: drain ? Number(((drain.last - restarted) / 1000).toFixed(1)) : null,
    lost: outcome.lost,
    duplicates: outcome.duplicates,
    peakRssMb: Object.fromEntries([...cluster.nodes].map(([name, child]) => [name, processStats(child.pid!).peakRssMb])),
  };
}

/** The last `created_at` of a table's rows since `since`, in ms, and the seconds since the first; undefined without rows. */
async function timeSpan(database: string, table: string, since: Date): Promise<{ last: number; seconds: number } | undefined> {
  const [span] = await query<{ first: number; last: number }>(
    database,
    `SELECT extract(epoch FROM min(created_at)) * 1000 AS first, extract(epoch FROM max(created_at)) * 1000 AS last FROM ${table} WHERE created_at >= $1`,
    [since],
  );
  if (span.last === null) return undefined;
  return { last: Number(span.last), seconds: Math.max(0.001, (Number(span.last) - Number(span.first)) / 1000) };
}
