import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { CHAOS_ENV, runChaos } from "./chaos-run";
import { startLocalCluster } from "./local-cluster";

/** `npm run chaos`: the randomized concurrency run against a cluster of its own. See `--help`. */
const HELP = `npm run chaos -- [options]

  --seconds <s>         how long clients and node kills go on          (60)
  --seed <n>            the operations' seed: the same seed, the same
                        operations                                    (random, printed)
  --clients <n>         operations in flight at once                   (8)
  --transport <t>       amqp or tcp                                    (amqp)
  --orders-nodes <n>    orders nodes                                   (1)
  --invoices-nodes <n>  invoices nodes                                 (1)
  --postgres <url>      server where it creates its databases          ($CHAOS_POSTGRES_URL or local)
  --transporter <url>   RabbitMQ, for --transport amqp                 ($TRANSPORTER or local guest)
  --help

Prints the seed first and, at the end, the operations, the answers, the kills and every violation of
the invariants found at rest; exits 1 if there is any.`;

const { values: flags } = parseArgs({
  options: {
    seconds: { type: "string", default: "60" },
    seed: { type: "string", default: String(Math.floor(Math.random() * 2 ** 31)) },
    clients: { type: "string", default: "8" },
    transport: { type: "string", default: "amqp" },
    "orders-nodes": { type: "string", default: "1" },
    "invoices-nodes": { type: "string", default: "1" },
    postgres: { type: "string", default: process.env.CHAOS_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres" },
    transporter: { type: "string", default: process.env.TRANSPORTER ?? "amqp://guest:guest@127.0.0.1:5672" },
    help: { type: "boolean", default: false },
  },
});

async function main(): Promise<number> {
  if (flags.help) {
    console.log(HELP);
    return 0;
  }
  const seed = Number(flags.seed);
  const logDir = mkdtempSync(join(tmpdir(), "orders-invoices-chaos-"));
  console.log(`chaos: seed ${seed}, ${flags.seconds} s, transport ${flags.transport}, node logs in ${logDir}`);
  const ordersNodes = Number(flags["orders-nodes"]);
  const invoicesNodes = Number(flags["invoices-nodes"]);
  const cluster = await startLocalCluster({
    name: "chaos",
    postgresUrl: flags.postgres,
    transporter: flags.transport === "tcp" ? undefined : flags.transporter,
    port: 20_000 + Math.floor(Math.random() * 10_000),
    ordersNodes,
    invoicesNodes,
    env: CHAOS_ENV,
    logDir,
  });
  try {
    const killable = [
      "api",
      ...Array.from({ length: ordersNodes }, (_, i) => `orders-${i + 1}`),
      ...Array.from({ length: invoicesNodes }, (_, i) => `invoices-${i + 1}`),
    ];
    const report = await runChaos(cluster, {
      seconds: Number(flags.seconds),
      seed,
      clients: Number(flags.clients),
      killable,
      log: (line) => console.log(`chaos: ${line}`),
    });
    console.log(JSON.stringify(report, null, 2));
    console.log(
      report.violations.length === 0
        ? `chaos: no violation (seed ${seed})`
        : `chaos: ${report.violations.length} violation(s); replay with --seed ${seed}`,
    );
    return report.violations.length === 0 ? 0 : 1;
  } finally {
    await cluster.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
