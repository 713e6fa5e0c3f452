import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import { spawnNode } from "./moleculer-node";

export interface BenchCluster {
  url: string;
  databases: { orders: string; invoices: string };
  /** node name → its process */
  nodes: Map<string, ChildProcess>;
  stop(): Promise<void>;
}

export interface ClusterOptions {
  postgresUrl: string;
  transporter: string;
  port: number;
  ordersNodes: number;
  invoicesNodes: number;
  env: Record<string, string>;
}

const databaseUrl = (server: string, name: string) => Object.assign(new URL(server), { pathname: `/${name}` }).toString();

async function admin(server: string, statements: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: server });
  await client.connect();
  try {
    for (const sql of statements) await client.query(sql);
  } finally {
    await client.end();
  }
}

/** The system as `npm start` runs it over RabbitMQ, on databases (and a namespace) of its own. */
export async function startBenchCluster(options: ClusterOptions): Promise<BenchCluster> {
  const id = `bench_${Date.now().toString(36)}`;
  const databases = { orders: `${id}_orders`, invoices: `${id}_invoices` };
  await admin(options.postgresUrl, Object.values(databases).map((name) => `CREATE DATABASE "${name}"`));
  const env = {
    ...process.env,
    TRANSPORTER: options.transporter,
    NAMESPACE: id,
    PORT: String(options.port),
    ORDERS_DATABASE_URL: databaseUrl(options.postgresUrl, databases.orders),
    INVOICES_DATABASE_URL: databaseUrl(options.postgresUrl, databases.invoices),
    LOG_LEVEL: "error",
    ...options.env,
  };
  const nodes = new Map<string, ChildProcess>();
  const add = (name: string, role: string) =>
    nodes.set(name, spawnNode(role, { env: { ...env, NODE_ID: `${name}-${id}` }, stdio: ["ignore", "ignore", "inherit"] }));
  add("api", "api");
  for (let i = 1; i <= options.ordersNodes; i++) add(`orders-${i}`, "orders");
  for (let i = 1; i <= options.invoicesNodes; i++) add(`invoices-${i}`, "invoices");

  const url = `http://127.0.0.1:${options.port}`;
  async function stop() {
    await Promise.all(
      [...nodes.values()].map(async (child) => {
        if (child.exitCode !== null) return;
        const exited = once(child, "exit");
        child.kill("SIGTERM");
        await exited;
      }),
    );
    await admin(options.postgresUrl, Object.values(databases).map((name) => `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
  }
  for (let attempt = 0; ; attempt++) {
    const ready = await fetch(`${url}/ready`).then((res) => res.ok, () => false);
    if (ready) break;
    if (attempt > 240) {
      await stop();
      throw new Error("The cluster did not become ready within a minute");
    }
    await sleep(250);
  }
  return { url, databases, nodes, stop };
}
