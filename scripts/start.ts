import { resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { configAtStart } from "../mixins/config";
import { spawnNode } from "./moleculer-node";
import { forkPostgres, type PostgresProcess } from "./postgres-process";
import { supervisor } from "./supervisor";

/**
 * `npm start`: the whole system on one machine. Each role is its own moleculer-runner process;
 * without ORDERS_DATABASE_URL / INVOICES_DATABASE_URL an embedded PostgreSQL is started first;
 * without TRANSPORTER the nodes find each other over Moleculer's TCP transporter.
 * A node that dies is restarted (supervisor.ts) while the others keep serving, as separate services
 * should; the embedded PostgreSQL dying stops everything, since no node can work without it.
 * Ctrl-C (SIGINT) or SIGTERM stops the nodes gracefully, then PostgreSQL.
 */
const ROLES = ["api", "orders", "invoices"] as const;
const projectRoot = resolve(__dirname, "..", "..");
const env = process.env;
// Checked before anything starts: the nodes would only stop on the same variables, one after the other.
const { PORT: port } = configAtStart();
const STOP_TIMEOUT_MS = 20_000;
const READY_TIMEOUT_MS = 60_000;

const nodes = supervisor();
let database: PostgresProcess | undefined;
let stopping = false;

async function main(): Promise<void> {
  const databaseEnv = await databaseUrls();
  for (const role of ROLES) nodes.start(`${role} node`, () => spawnRole(role, databaseEnv));
  await waitUntilReady();
  console.log(
    `\nOrders & invoices are running: http://localhost:${port}` +
      `  (transporter: ${env.TRANSPORTER ? "AMQP" : "TCP"}, ` +
      `databases: ${database ? "embedded PostgreSQL" : "from the environment"}). Ctrl-C stops them.\n`,
  );
}

async function databaseUrls(): Promise<Record<string, string>> {
  if (env.ORDERS_DATABASE_URL && env.INVOICES_DATABASE_URL) return {};
  const dataDir = resolve(env.DATA_DIR ?? resolve(projectRoot, ".data"));
  const pgPort = Number(env.EMBEDDED_PG_PORT ?? 54329);
  console.log(`Starting embedded PostgreSQL on 127.0.0.1:${pgPort} (data in ${dataDir})…`);
  database = await forkPostgres(dataDir, pgPort, ["orders", "invoices"]);
  void database.exited.then((how) => {
    if (stopping) return;
    console.error(`Embedded PostgreSQL exited unexpectedly (${how}); stopping everything.`);
    void shutdown(1);
  });
  return { ORDERS_DATABASE_URL: database.urls.orders, INVOICES_DATABASE_URL: database.urls.invoices };
}

function spawnRole(role: (typeof ROLES)[number], databaseEnv: Record<string, string>) {
  // METRICS_PORT is the first of three: gateway, orders, invoices each get their own.
  const metrics = env.METRICS_PORT ? { METRICS_PORT: String(Number(env.METRICS_PORT) + ROLES.indexOf(role)) } : {};
  return spawnNode(role, {
    env: { ...env, ...databaseEnv, ...metrics },
    // Its own process group: Ctrl-C reaches only this launcher, which then stops each node once.
    detached: true,
  });
}

async function waitUntilReady(): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline && !stopping) {
    const status = await fetch(`http://127.0.0.1:${port}/ready`)
      .then((res) => res.status)
      .catch(() => 0);
    if (status === 200) return;
    await sleep(250);
  }
  if (!stopping) throw new Error(`The cluster was not ready within ${READY_TIMEOUT_MS / 1000} s`);
}

async function shutdown(exitCode: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  await nodes.stop(STOP_TIMEOUT_MS);
  await database?.stop();
  process.exit(exitCode);
}

process.on("SIGINT", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));
// Never leave detached nodes behind if this process dies some other way.
process.on("exit", () => nodes.kill());

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  void shutdown(1);
});
