import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import { spawnNode } from "./moleculer-node";
import { createDatabases, databaseUrl, dropDatabases } from "./postgres-admin";

export interface BenchCluster {
  url: string;
  /** connection URLs of the two databases */
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

/** The system as `npm start` runs it over RabbitMQ, on databases (and a namespace) of its own. */
export async function startBenchCluster(options: ClusterOptions): Promise<BenchCluster> {
  const id = `bench_${Date.now().toString(36)}`;
  const names = [`${id}_orders`, `${id}_invoices`];
  await createDatabases(options.postgresUrl, names);
  const databases = { orders: databaseUrl(options.postgresUrl, names[0]), invoices: databaseUrl(options.postgresUrl, names[1]) };
  const env = {
    ...process.env,
    TRANSPORTER: options.transporter,
    NAMESPACE: id,
    PORT: String(options.port),
    ORDERS_DATABASE_URL: databases.orders,
    INVOICES_DATABASE_URL: databases.invoices,
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
    await dropDatabases(options.postgresUrl, names);
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
