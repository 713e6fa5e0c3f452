import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { createOrderExample } from "../contracts/orders";
import { type Backlog, drainBacklog } from "./bench-backlog";
import { insertWithOutboxPerSecond, settle } from "./bench-measure";
import { readLatencies } from "./bench-reads";
import {
  compare,
  compareSwitches,
  type Figures,
  figuresOf,
  type Kind,
  type NodeSetting,
  printComparison,
  printRound,
  printSwitches,
  type RoundSettings,
  SWITCHES,
  snapshot,
} from "./bench-report";
import { seedInvoicedOrders } from "./bench-seed";
import { ended } from "./child-process";
import { type LocalCluster, startLocalCluster } from "./local-cluster";
import { type BenchStack, startPlainStack } from "./plain-stack";

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
  --seed-rows <n>       orders and invoices written into the tables
                        before the load (generate_series), then reads
                        at 50/s: by id, first pages, a deep page      (0)
  --read-seconds <s>    how long each of those reads runs             (10)
  --backlog <n>         after the load: the invoices nodes shut down,
                        n orders created, the invoices nodes started;
                        how fast the backlog drains (this system's
                        rounds only)                                  (0)
  --defaults            the nodes as the image runs them: info logs as
                        JSON lines to files, traces (its sampler) and
                        logs over OTLP to a collector the bench
                        starts                                        (off: error logs, no telemetry)
  --switches            this system four times, one default added each
                        time: quiet, info logs, traces (no log
                        records), as shipped; and what each costs     (off)
  --compare             this system and a plain stack (one INSERT and
                        one publish per order, scripts/plain-service)
                        in turn, A/B/A/B, and their ratios            (off)
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
    "seed-rows": { type: "string", default: "0" },
    "read-seconds": { type: "string", default: "10" },
    backlog: { type: "string", default: "0" },
    defaults: { type: "boolean", default: false },
    compare: { type: "boolean", default: false },
    switches: { type: "boolean", default: false },
    json: { type: "string", default: "bench-results.json" },
    help: { type: "boolean", default: false },
  },
});

/** POST /orders for `seconds`, or `amount` of them. */
function load(url: string, { seconds, amount }: { seconds?: number; amount?: number }, connections: number): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    const withKey = (request: autocannon.Request) => ({ ...request, headers: { ...request.headers, "idempotency-key": randomUUID() } });
    const options = {
      url: `${url}/orders`,
      method: "POST" as const,
      connections,
      ...(amount ? { amount } : { duration: seconds }),
      headers: { "content-type": "application/json" },
      body: JSON.stringify(createOrderExample),
      ...(flags["idempotency-keys"] ? { requests: [{ setupRequest: withKey }] } : {}),
    };
    const instance = autocannon(options, (err, result) => (err ? reject(err) : resolve(result)));
    autocannon.track(instance, { renderProgressBar: process.stderr.isTTY, renderResultsTable: false, renderLatencyTable: false });
  });
}

/** A stack under load and the processes measured: its own, and the collector of --defaults. */
interface Running {
  stack: BenchStack;
  /** this system's nodes, to shut down and start (--backlog) */
  cluster?: LocalCluster;
  measured: Map<string, ChildProcess>;
  stop(): Promise<void>;
}

/** A port for this round: the bench may run beside a stack of the same kind. */
const somePort = () => 20_000 + Math.floor(Math.random() * 10_000);

/** The OTLP collector of --defaults (scripts/otlp-sink.ts), once it listens. */
async function startSink(): Promise<{ endpoint: string; process: ChildProcess; stop(): Promise<void> }> {
  const port = somePort();
  const child = spawn(process.execPath, [join(__dirname, "otlp-sink.js"), String(port)], { stdio: ["ignore", "pipe", "inherit"] });
  await once(child.stdout!, "data");
  return { endpoint: `http://127.0.0.1:${port}`, process: child, stop: () => ended(child) };
}

/**
 * The nodes' environment for each setting. Past quiet, they run as the image does (NODE_ENV=production:
 * JSON lines, the production sampler) at `info`; traces and logs go to the bench's collector.
 */
function nodeEnv(setting: NodeSetting, collector: string | undefined): Record<string, string> {
  const production = { NODE_ENV: "production", LOG_LEVEL: "info" };
  const exporting = { ...production, OTEL_EXPORTER_OTLP_ENDPOINT: collector! };
  const env: Record<NodeSetting, Record<string, string>> = {
    quiet: { OTEL_SDK_DISABLED: "true" },
    "info logs": { ...production, OTEL_SDK_DISABLED: "true" },
    traces: { ...exporting, OTEL_LOGS_EXPORTER: "none" },
    "as shipped": exporting,
  };
  return env[setting];
}

async function startSystem(setting: NodeSetting): Promise<Running> {
  const sink = setting === "traces" || setting === "as shipped" ? await startSink() : undefined;
  // Past quiet, the JSON lines go to files, as a container runtime keeps them.
  const logDir = setting === "quiet" ? undefined : mkdtempSync(join(tmpdir(), "bench-logs-"));
  const cluster = await startLocalCluster({
    name: "bench",
    postgresUrl: flags.postgres,
    transporter: flags.transporter,
    port: somePort(),
    ordersNodes: Number(flags["orders-nodes"]),
    invoicesNodes: Number(flags["invoices-nodes"]),
    env: nodeEnv(setting, sink?.endpoint),
    logDir,
  });
  const measured = new Map(cluster.nodes);
  if (sink) measured.set("otlp-sink", sink.process);
  const stop = async () => {
    await cluster.stop();
    await sink?.stop();
    if (logDir) rmSync(logDir, { recursive: true });
  };
  return { stack: cluster, cluster, measured, stop };
}

async function startPlain(): Promise<Running> {
  const stack = await startPlainStack(flags.postgres, flags.transporter, somePort());
  return { stack, measured: stack.nodes, stop: stack.stop };
}

const roundSettings = (kind: Kind, setting: NodeSetting): RoundSettings => ({
  duration: Number(flags.duration),
  connections: Number(flags.connections),
  ordersNodes: Number(flags["orders-nodes"]),
  invoicesNodes: Number(flags["invoices-nodes"]),
  idempotencyKeys: flags["idempotency-keys"],
  nodes: setting,
  seedRows: kind === "system" ? Number(flags["seed-rows"]) : 0,
});

/** One stack started, warmed up, measured, settled and stopped. */
async function round(kind: Kind, setting: NodeSetting): Promise<Figures> {
  const settings = roundSettings(kind, setting);
  const { duration, connections, seedRows } = settings;
  const running = kind === "system" ? await startSystem(setting) : await startPlain();
  try {
    if (seedRows > 0) await seedInvoicedOrders(running.stack.databases, seedRows);
    const since = new Date();
    if (Number(flags.warmup) > 0) await load(running.stack.url, { seconds: Number(flags.warmup) }, connections);
    const before = snapshot(running.measured);
    const result = await load(running.stack.url, { seconds: duration }, connections);
    const after = snapshot(running.measured);
    const { orders, invoices } = running.stack.databases;
    const outcome = await settle(orders, invoices, Number(flags.settle) * 1000, since);
    const measureBaseline = kind === "system" && !flags.compare && !flags.switches && Number(flags.baseline) > 0;
    const baseline = measureBaseline ? await insertWithOutboxPerSecond(orders, 10, Number(flags.baseline)) : null;
    const reads =
      seedRows > 0 ? await readLatencies(running.stack.url, running.stack.databases, seedRows, Number(flags["read-seconds"])) : undefined;
    const backlogOrders = Number(flags.backlog);
    const backlog: Backlog | undefined =
      running.cluster && backlogOrders > 0
        ? await drainBacklog(
            running.cluster,
            (amount) => load(running.stack.url, { amount }, connections),
            backlogOrders,
            Number(flags.settle) * 1000,
          )
        : undefined;
    return { ...figuresOf(kind, settings, result, outcome, before, after, baseline), reads, backlog };
  } finally {
    await running.stop();
  }
}

async function main(): Promise<void> {
  if (flags.help) return console.log(HELP);
  const setting: NodeSetting = flags.defaults ? "as shipped" : "quiet";
  const plan: Array<[Kind, NodeSetting]> = flags.switches
    ? SWITCHES.map((each) => ["system", each])
    : flags.compare
      ? [
          ["system", setting],
          ["plain", "quiet"],
          ["system", setting],
          ["plain", "quiet"],
        ]
      : [["system", setting]];
  const rounds: Figures[] = [];
  for (const [kind, nodes] of plan) {
    const figures = await round(kind, nodes);
    printRound(figures);
    rounds.push(figures);
  }
  if (flags.switches) {
    const switches = compareSwitches(rounds);
    writeFileSync(flags.json, `${JSON.stringify({ rounds, switches }, null, 2)}\n`);
    printSwitches(switches);
  } else if (flags.compare) {
    const comparison = compare(rounds);
    writeFileSync(flags.json, `${JSON.stringify({ rounds, comparison }, null, 2)}\n`);
    printComparison(comparison);
  } else {
    writeFileSync(flags.json, `${JSON.stringify(rounds[0], null, 2)}\n`);
  }
  console.log(`figures written to ${flags.json}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
