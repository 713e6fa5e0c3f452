import { resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { configAtStart } from "../mixins/config";
import { spawnNode } from "./moleculer-node";
import { forkPostgres, type PostgresProcess } from "./postgres-process";
import { supervisor } from "./supervisor";

/**
 * `npm start`: the whole system on one machine. Each role is its own moleculer-runner process;
 * an embedded PostgreSQL is started first for the databases ORDERS_DATABASE_URL / INVOICES_DATABASE_URL
 * do not name;
 * without TRANSPORTER the nodes find each other over Moleculer's TCP transporter.
 * A node that dies is restarted (supervisor.ts) while the others keep serving, as separate services
 * should; the embedded PostgreSQL dying stops everything, since no node can work without it.
 * Ctrl-C (SIGINT) or SIGTERM stops the nodes gracefully, then PostgreSQL.
 */
const ROLES = ["api", "orders", "invoices"] as const;
const projectRoot = resolve(__dirname, "..", "..");
// Checked before anything starts: the nodes would only stop on the same variables, one after the other.
const settings = configAtStart();
const { PORT: port, TRANSPORTER, METRICS_PORT, DATA_DIR, EMBEDDED_PG_PORT } = settings;
/** Each service's database and the variable naming it. */
const DATABASES = [
  ["orders", "ORDERS_DATABASE_URL"],
  ["invoices", "INVOICES_DATABASE_URL"],
] as const;
const STOP_TIMEOUT_MS = 20_000;
const READY_TIMEOUT_MS = 60_000;

const nodes = supervisor();
let database: PostgresProcess | undefined;
let stopping = false;

async function main(): Promise<void> {
  const databaseEnv = await databaseUrls();
  for (const role of ROLES) nodes.start(`${role} node`, () => spawnRole(role, databaseEnv));
  await waitUntilReady();
  const transporter = TRANSPORTER && TRANSPORTER !== "TCP" ? "AMQP" : "TCP";
  const databases = DATABASES.map(
    ([name, variable]) => `${name} database: ${settings[variable] ? "from the environment" : "embedded PostgreSQL"}`,
  );
  console.log(
    `\nOrders & invoices are running: http://localhost:${port}  (transporter: ${transporter}, ${databases.join(", ")}). Ctrl-C stops them.\n`,
  );
}

/** The URLs of the databases the environment does not name, on an embedded PostgreSQL started for them. */
async function databaseUrls(): Promise<Record<string, string>> {
  const unset = DATABASES.filter(([, variable]) => !settings[variable]);
  if (unset.length === 0) return {};
  const dataDir = resolve(DATA_DIR ?? resolve(projectRoot, ".data"));
  console.log(`Starting embedded PostgreSQL on 127.0.0.1:${EMBEDDED_PG_PORT} (data in ${dataDir})…`);
  const embedded = await forkPostgres(
    dataDir,
    EMBEDDED_PG_PORT,
    unset.map(([name]) => name),
  );
  database = embedded;
  void database.exited.then((how) => {
    if (stopping) return;
    console.error(`Embedded PostgreSQL exited unexpectedly (${how}); stopping everything.`);
    void shutdown(1);
  });
  return Object.fromEntries(unset.map(([name, variable]) => [variable, embedded.urls[name]]));
}

function spawnRole(role: (typeof ROLES)[number], databaseEnv: Record<string, string>) {
  // METRICS_PORT is the first of three: gateway, orders, invoices each get their own.
  const metrics = METRICS_PORT ? { METRICS_PORT: String(METRICS_PORT + ROLES.indexOf(role)) } : {};
  return spawnNode(role, {
    env: { ...process.env, ...databaseEnv, ...metrics },
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
