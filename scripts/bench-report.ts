import type { ChildProcess } from "node:child_process";
import { cpus } from "node:os";
import type autocannon from "autocannon";
import type { Backlog } from "./bench-backlog";
import { machineCpuSeconds, type Outcome, type ProcessStats, processStats, programCpuSeconds, statusCounts } from "./bench-measure";
import type { ReadLatency } from "./bench-reads";

/** How this system's nodes run: quiet (the bench's own setting) up to as shipped, one default added at a time. */
export type NodeSetting = "quiet" | "info logs" | "traces" | "as shipped";
/** --switches: each setting in turn, in the order the defaults are added. */
export const SWITCHES: NodeSetting[] = ["quiet", "info logs", "traces", "as shipped"];

/** How a round ran: the bench's options, and how the nodes ran (--defaults: as shipped). */
export interface RoundSettings {
  duration: number;
  connections: number;
  ordersNodes: number;
  invoicesNodes: number;
  idempotencyKeys: boolean;
  nodes: NodeSetting;
  /** rows in each table before the load (--seed-rows) */
  seedRows: number;
}

/** What was measured: this system or the plain stack (scripts/plain-service.ts). */
export type Kind = "system" | "plain";

/** What the rest of the machine spends: the local servers (if they are local) and this process (autocannon). */
const SERVERS = { postgres: "postgres", rabbitmq: "beam.smp" };

export interface Snapshot {
  processes: Map<string, ProcessStats>;
  others: Record<string, number>;
  machine: { busy: number; total: number };
}

export const snapshot = (measured: Map<string, ChildProcess>): Snapshot => ({
  processes: new Map([...measured].map(([name, child]) => [name, processStats(child.pid!)])),
  others: {
    ...Object.fromEntries(Object.entries(SERVERS).map(([label, program]) => [label, programCpuSeconds(program)])),
    bench: processStats(process.pid).cpuSeconds,
  },
  machine: machineCpuSeconds(),
});

export type Figures = ReturnType<typeof figuresOf> & { reads?: Record<string, ReadLatency>; backlog?: Backlog };

export function figuresOf(
  kind: Kind,
  settings: RoundSettings,
  result: autocannon.Result,
  outcome: Outcome,
  before: Snapshot,
  after: Snapshot,
  baseline: number | null,
) {
  const { duration } = settings;
  const ordersPerSecond = Math.round(result.requests.average);
  const percentOfCore = (seconds: number) => Math.round((seconds / duration) * 100);
  // CPU seconds each process spent under the measured load.
  const processSeconds = new Map(
    [...after.processes].map(([name, stats]) => [name, stats.cpuSeconds - before.processes.get(name)!.cpuSeconds]),
  );
  const otherSeconds = Object.fromEntries(Object.entries(after.others).map(([name, seconds]) => [name, seconds - before.others[name]]));
  const processes = Object.fromEntries(
    [...after.processes].map(([name, stats]) => [
      name,
      { cpuPercent: percentOfCore(processSeconds.get(name)!), peakRssMb: stats.peakRssMb },
    ]),
  );
  // What one order costs the whole system, whatever share of the machine it got (the VM's speed still
  // moves it): the lever-by-lever comparison that orders/s alone cannot give when something else runs.
  const cpuSeconds = [...processSeconds.values(), ...Object.values(otherSeconds)].reduce((sum, seconds) => sum + seconds, 0);
  const stackSeconds = [...processSeconds.values()].reduce((sum, seconds) => sum + seconds, 0);
  const msPerOrder = (seconds: number) => Number(((seconds * 1000) / result.requests.total).toFixed(2));
  return {
    kind,
    date: new Date().toISOString(),
    machine: `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}`,
    settings,
    ordersPerSecond,
    latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99 },
    invoiceLagMs: { p50: outcome.lagP50Ms, p99: outcome.lagP99Ms },
    statuses: statusCounts(result),
    errors: result.errors + result.timeouts,
    orders: outcome.orders,
    lost: outcome.lost,
    duplicates: outcome.duplicates,
    nodes: processes,
    othersCpuPercent: Object.fromEntries(Object.entries(otherSeconds).map(([name, seconds]) => [name, percentOfCore(seconds)])),
    cpuMsPerOrder: msPerOrder(cpuSeconds),
    // Where it goes: the stack's own processes (with --defaults, the collector too), then each of the others.
    cpuMsPerOrderBy: Object.fromEntries([
      ["stack", msPerOrder(stackSeconds)],
      ...Object.entries(otherSeconds).map(([name, seconds]) => [name, msPerOrder(seconds)]),
    ]) as Record<string, number>,
    // The stack's own CPU over the load generator's, whose work per request never changes: it cancels
    // most of the VM's drift from hour to hour.
    cpuPerLoadGeneratorCpu: Number((stackSeconds / otherSeconds.bench).toFixed(2)),
    machineBusyPercent: Math.round(((after.machine.busy - before.machine.busy) / (after.machine.total - before.machine.total)) * 100),
    rawInsertWithOutboxPerSecond: baseline,
    ratioToRaw: baseline ? Number((ordersPerSecond / baseline).toFixed(2)) : null,
  };
}

export function printRound(figures: Figures): void {
  const { settings, latencyMs: latency, invoiceLagMs: lag } = figures;
  const title =
    figures.kind === "plain"
      ? "the plain stack"
      : `this system${settings.nodes === "quiet" ? "" : `, ${settings.nodes}`}${settings.seedRows ? `, ${settings.seedRows.toLocaleString("en")} rows stored` : ""}`;
  console.log(`
${title}
orders/s            ${figures.ordersPerSecond}   (${settings.connections} connections, ${settings.duration} s${settings.idempotencyKeys ? ", an Idempotency-Key each" : ""})
latency ms          p50 ${latency.p50}   p90 ${latency.p90}   p99 ${latency.p99}
invoice lag ms      p50 ${lag.p50}   p99 ${lag.p99}
statuses            ${JSON.stringify(figures.statuses)}   socket errors/timeouts ${figures.errors}
orders ${figures.orders}   lost ${figures.lost}   duplicate invoices ${figures.duplicates}
raw INSERT+outbox/s ${figures.rawInsertWithOutboxPerSecond ?? "-"}   ratio ${figures.ratioToRaw ?? "-"}
${Object.entries(figures.nodes)
  .map(([name, n]) => `${name.padEnd(14)} cpu ${n.cpuPercent}%   peak rss ${n.peakRssMb} MB`)
  .join("\n")}
${Object.entries(figures.othersCpuPercent)
  .map(([name, percent]) => `${name.padEnd(14)} cpu ${percent}%`)
  .join("\n")}
cpu per order       ${figures.cpuMsPerOrder} ms, all of the processes above together
cpu ÷ load gen      ${figures.cpuPerLoadGeneratorCpu}, the stack's processes over the bench's own
machine             ${figures.machineBusyPercent}% busy (${cpus().length} cores; cpu % above are of one core)`);
  if (figures.backlog) printBacklog(figures.backlog);
  if (!figures.reads) return;
  console.log(`reads at 50/s with ${settings.seedRows.toLocaleString("en")} orders and invoices stored, ms`);
  for (const [name, read] of Object.entries(figures.reads)) {
    console.log(`  ${name.padEnd(50)} p50 ${read.p50}   p99 ${read.p99}   ${JSON.stringify(read.statuses)}`);
  }
}

function printBacklog(backlog: Backlog): void {
  console.log(`backlog             ${backlog.orders} orders created at ${backlog.arrivalPerSecond}/s with the invoices nodes down
drained at          ${backlog.drainPerSecond === null ? "- (no invoice issued)" : `${backlog.drainPerSecond} invoices/s (×${(backlog.drainPerSecond / backlog.arrivalPerSecond).toFixed(2)} the arrival), the last ${backlog.secondsToDrained} s after the invoices nodes started`}
backlog statuses    ${JSON.stringify(backlog.statuses)}   lost ${backlog.lost}   duplicate invoices ${backlog.duplicates}
peak rss            ${Object.entries(backlog.peakRssMb)
    .map(([name, mb]) => `${name} ${mb} MB`)
    .join(", ")}`);
}

/** This system over the plain stack, for each A/B pair of rounds. */
export function compare(rounds: Figures[]) {
  const pairs = rounds.flatMap((figures, i) =>
    figures.kind === "system" && rounds[i + 1]?.kind === "plain" ? [[figures, rounds[i + 1]]] : [],
  );
  const ratio = (of: (f: Figures) => number) => pairs.map(([system, plain]) => Number((of(system) / of(plain)).toFixed(2)));
  return {
    ordersPerSecond: ratio((f) => f.ordersPerSecond),
    p99: ratio((f) => f.latencyMs.p99),
    cpuMsPerOrder: ratio((f) => f.cpuMsPerOrder),
    cpuMsPerOrderBy: pairs.map(([system, plain]) => ({ system: system.cpuMsPerOrderBy, plain: plain.cpuMsPerOrderBy })),
    everyOrderInvoicedOnce: rounds.every((f) => f.lost === 0 && f.duplicates === 0),
  };
}

/** --switches: each setting's figures, and its orders/s and CPU over the quiet round's. */
export function compareSwitches(rounds: Figures[]) {
  const [quiet] = rounds;
  return rounds.map((figures) => ({
    nodes: figures.settings.nodes,
    ordersPerSecond: figures.ordersPerSecond,
    p99: figures.latencyMs.p99,
    cpuMsPerOrder: figures.cpuMsPerOrder,
    cpuPerLoadGeneratorCpu: figures.cpuPerLoadGeneratorCpu,
    ordersPerSecondOverQuiet: Number((figures.ordersPerSecond / quiet.ordersPerSecond).toFixed(2)),
    cpuOverQuiet: Number((figures.cpuPerLoadGeneratorCpu / quiet.cpuPerLoadGeneratorCpu).toFixed(2)),
    everyOrderInvoicedOnce: figures.lost === 0 && figures.duplicates === 0,
  }));
}

export function printSwitches(switches: ReturnType<typeof compareSwitches>): void {
  console.log("\nwhat each default costs (CPU: the nodes' over the load generator's, which cancels the VM's drift)");
  console.log(
    `${"nodes".padEnd(12)} ${"orders/s".padStart(9)} ${"× quiet".padStart(8)} ${"p99 ms".padStart(7)} ${"cpu ÷ lg".padStart(9)} ${"× quiet".padStart(8)}`,
  );
  for (const s of switches) {
    console.log(
      `${s.nodes.padEnd(12)} ${String(s.ordersPerSecond).padStart(9)} ${`×${s.ordersPerSecondOverQuiet}`.padStart(8)} ${String(s.p99).padStart(7)} ${String(s.cpuPerLoadGeneratorCpu).padStart(9)} ${`×${s.cpuOverQuiet}`.padStart(8)}${s.everyOrderInvoicedOnce ? "" : "   LOST OR DOUBLED"}`,
    );
  }
}

export function printComparison(comparison: ReturnType<typeof compare>): void {
  const list = (ratios: number[]) => ratios.map((r) => `×${r}`).join(", ");
  console.log(`
this system ÷ the plain stack, each pair of rounds
orders/s            ${list(comparison.ordersPerSecond)}
latency p99         ${list(comparison.p99)}
cpu per order       ${list(comparison.cpuMsPerOrder)}
every order invoiced exactly once, both stacks: ${comparison.everyOrderInvoicedOnce ? "yes" : "NO"}`);
  // The same split for both: what the stack's own processes spend, and what the servers and the load generator do.
  const [first] = comparison.cpuMsPerOrderBy;
  if (!first) return;
  const parts = Object.keys(first.system);
  const heading: Record<string, string> = { stack: "its own", bench: "load gen" };
  console.log(`\ncpu ms per order    ${parts.map((part) => (heading[part] ?? part).padStart(10)).join("")}`);
  comparison.cpuMsPerOrderBy.forEach((pair, i) => {
    for (const [label, split] of [
      ["this system", pair.system],
      ["plain stack", pair.plain],
    ] as const) {
      console.log(`  ${`${label}, ${i + 1}`.padEnd(18)}${parts.map((part) => String(split[part] ?? "-").padStart(10)).join("")}`);
    }
  });
}
