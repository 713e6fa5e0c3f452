import { randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { createOrderExample } from "../contracts/orders";
import {
  insertWithOutboxPerSecond,
  machineCpuSeconds,
  type Outcome,
  type ProcessStats,
  processStats,
  programCpuSeconds,
  settle,
} from "./bench-measure";
import { type LocalCluster, startLocalCluster } from "./local-cluster";

/**
 * `npm run bench`: POST /orders through the gateway with every guarantee on (outbox, relay, inbox,
 * acknowledgements), then checks that every order got exactly one invoice. See `--help`.
 */
const HELP = `npm run bench -- [options]

  --duration <s>        measured load, seconds                        (20)
  --warmup <s>          load before measuring, seconds: until V8 has
                        optimized the hot code                        (15)
  --connections <n>     concurrent HTTP connections                   (20)
  --orders-nodes <n>    orders nodes                                  (1)
  --invoices-nodes <n>  invoices nodes                                (1)
  --idempotency-keys    a fresh Idempotency-Key on every request: the
                        orders go in through a transaction each batch,
                        with the keys' rows                           (off)
  --postgres <url>      server where the bench creates its databases  ($BENCH_POSTGRES_URL or local)
  --transporter <url>   RabbitMQ                                      ($TRANSPORTER or local guest)
  --baseline <s>        seconds of raw INSERT+outbox baseline, 0: none (5)
  --settle <s>          how long to wait for the last invoices        (120)
  --json <file>         where the figures go as JSON                  (bench-results.json)
  --help`;

const { values: flags } = parseArgs({
  options: {
    duration: { type: "string", default: "20" },
    // V8 keeps optimizing well into the load (README: Performance says how long).
    warmup: { type: "string", default: "15" },
    connections: { type: "string", default: "20" },
    "orders-nodes": { type: "string", default: "1" },
    "invoices-nodes": { type: "string", default: "1" },
    "idempotency-keys": { type: "boolean", default: false },
    postgres: { type: "string", default: process.env.BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres" },
    transporter: { type: "string", default: process.env.TRANSPORTER ?? "amqp://guest:guest@127.0.0.1:5672" },
    baseline: { type: "string", default: "5" },
    settle: { type: "string", default: "120" },
    json: { type: "string", default: "bench-results.json" },
    help: { type: "boolean", default: false },
  },
});

function load(url: string, seconds: number, connections: number): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    const withKey = (request: autocannon.Request) => ({ ...request, headers: { ...request.headers, "idempotency-key": randomUUID() } });
    const options = {
      url: `${url}/orders`,
      method: "POST" as const,
      connections,
      duration: seconds,
      headers: { "content-type": "application/json" },
      body: JSON.stringify(createOrderExample),
      ...(flags["idempotency-keys"] ? { requests: [{ setupRequest: withKey }] } : {}),
    };
    const instance = autocannon(options, (err, result) => (err ? reject(err) : resolve(result)));
    autocannon.track(instance, { renderProgressBar: process.stderr.isTTY, renderResultsTable: false, renderLatencyTable: false });
  });
}

/** What the rest of the machine spends: the local servers (if they are local) and this process (autocannon). */
const SERVERS = { postgres: "postgres", rabbitmq: "beam.smp" };

interface Snapshot {
  nodes: Map<string, ProcessStats>;
  others: Record<string, number>;
  machine: { busy: number; total: number };
}

const snapshot = (cluster: LocalCluster): Snapshot => ({
  nodes: new Map([...cluster.nodes].map(([name, child]) => [name, processStats(child.pid!)])),
  others: {
    ...Object.fromEntries(Object.entries(SERVERS).map(([label, program]) => [label, programCpuSeconds(program)])),
    bench: processStats(process.pid).cpuSeconds,
  },
  machine: machineCpuSeconds(),
});

async function main(): Promise<void> {
  if (flags.help) return console.log(HELP);
  const duration = Number(flags.duration);
  const connections = Number(flags.connections);
  const cluster = await startLocalCluster({
    name: "bench",
    postgresUrl: flags.postgres,
    transporter: flags.transporter,
    port: 3000 + Math.floor(Math.random() * 1000) + 20_000,
    ordersNodes: Number(flags["orders-nodes"]),
    invoicesNodes: Number(flags["invoices-nodes"]),
    env: { OTEL_SDK_DISABLED: "true" },
  });
  try {
    if (Number(flags.warmup) > 0) await load(cluster.url, Number(flags.warmup), connections);
    const before = snapshot(cluster);
    const result = await load(cluster.url, duration, connections);
    const after = snapshot(cluster);
    const { orders, invoices } = cluster.databases;
    const outcome = await settle(orders, invoices, Number(flags.settle) * 1000);
    const baseline = Number(flags.baseline) > 0 ? await insertWithOutboxPerSecond(orders, 10, Number(flags.baseline)) : null;
    report(result, outcome, before, after, duration, connections, baseline);
  } finally {
    await cluster.stop();
  }
}

function report(
  result: autocannon.Result,
  outcome: Outcome,
  before: Snapshot,
  after: Snapshot,
  duration: number,
  connections: number,
  baseline: number | null,
): void {
  const ordersPerSecond = Math.round(result.requests.average);
  const statuses = Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, s]) => [code, s.count ?? 0]));
  const percentOfCore = (seconds: number) => Math.round((seconds / duration) * 100);
  // CPU seconds each process spent under the measured load.
  const nodeSeconds = new Map([...after.nodes].map(([name, stats]) => [name, stats.cpuSeconds - before.nodes.get(name)!.cpuSeconds]));
  const otherSeconds = Object.entries(after.others).map(([name, seconds]) => [name, seconds - before.others[name]] as const);
  const nodes = Object.fromEntries(
    [...after.nodes].map(([name, stats]) => [name, { cpuPercent: percentOfCore(nodeSeconds.get(name)!), peakRssMb: stats.peakRssMb }]),
  );
  const others = Object.fromEntries(otherSeconds.map(([name, seconds]) => [name, percentOfCore(seconds)]));
  // What one order costs the whole system, whatever share of the machine it got (the VM's speed still
  // moves it): the lever-by-lever comparison that orders/s alone cannot give when something else runs.
  const cpuSeconds = [...nodeSeconds.values(), ...otherSeconds.map(([, seconds]) => seconds)].reduce((sum, seconds) => sum + seconds, 0);
  const cpuMsPerOrder = Number(((cpuSeconds * 1000) / result.requests.total).toFixed(2));
  const machineBusyPercent = Math.round(((after.machine.busy - before.machine.busy) / (after.machine.total - before.machine.total)) * 100);
  const figures = {
    date: new Date().toISOString(),
    machine: `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}`,
    settings: {
      duration,
      connections,
      ordersNodes: Number(flags["orders-nodes"]),
      invoicesNodes: Number(flags["invoices-nodes"]),
      idempotencyKeys: flags["idempotency-keys"],
    },
    ordersPerSecond,
    latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99 },
    invoiceLagMs: { p50: outcome.lagP50Ms, p99: outcome.lagP99Ms },
    statuses,
    errors: result.errors + result.timeouts,
    orders: outcome.orders,
    lost: outcome.lost,
    duplicates: outcome.duplicates,
    nodes,
    othersCpuPercent: others,
    cpuMsPerOrder,
    machineBusyPercent,
    rawInsertWithOutboxPerSecond: baseline,
    ratioToRaw: baseline ? Number((ordersPerSecond / baseline).toFixed(2)) : null,
  };
  writeFileSync(flags.json, `${JSON.stringify(figures, null, 2)}\n`);
  console.log(`
orders/s            ${ordersPerSecond}   (${connections} connections, ${duration} s${flags["idempotency-keys"] ? ", an Idempotency-Key each" : ""})
latency ms          p50 ${figures.latencyMs.p50}   p90 ${figures.latencyMs.p90}   p99 ${figures.latencyMs.p99}
invoice lag ms      p50 ${outcome.lagP50Ms}   p99 ${outcome.lagP99Ms}
statuses            ${JSON.stringify(statuses)}   socket errors/timeouts ${figures.errors}
orders ${outcome.orders}   lost ${outcome.lost}   duplicate invoices ${outcome.duplicates}
raw INSERT+outbox/s ${baseline ?? "-"}   ratio ${figures.ratioToRaw ?? "-"}
${Object.entries(nodes)
  .map(([name, n]) => `${name.padEnd(12)} cpu ${n.cpuPercent}%   peak rss ${n.peakRssMb} MB`)
  .join("\n")}
${Object.entries(others)
  .map(([name, percent]) => `${name.padEnd(12)} cpu ${percent}%`)
  .join("\n")}
cpu per order       ${cpuMsPerOrder} ms, all of the processes above together
machine      ${machineBusyPercent}% busy (${cpus().length} cores; cpu % above are of one core)
figures written to ${flags.json}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
