import type { ChildProcess } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { ended, hasEnded } from "./child-process";
import { spawnNode } from "./moleculer-node";
import { createDatabases, databaseUrl, dropDatabases } from "./postgres-admin";

export interface LocalCluster {
  url: string;
  /** connection URLs of the two databases */
  databases: { orders: string; invoices: string };
  /** node name (`api`, `orders-1`, `invoices-2`…) → its current process */
  nodes: Map<string, ChildProcess>;
  /** SIGKILL: the node crashes */
  kill(name: string): Promise<void>;
  /** SIGTERM: the node shuts down as it does on a deployment */
  shutDown(name: string): Promise<void>;
  /** starts a node that is not running, under its old name */
  start(name: string): void;
  /** until `GET /ready` answers 200, or `seconds` have passed */
  waitUntilReady(seconds?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface ClusterOptions {
  /** a name for this cluster's databases and namespace */
  name: string;
  postgresUrl: string;
  /** RabbitMQ URL; undefined: Moleculer's TCP transporter */
  transporter: string | undefined;
  port: number;
  ordersNodes: number;
  invoicesNodes: number;
  env: Record<string, string>;
  /** where each node's output goes (`<name>.log`); without it, only errors reach the terminal */
  logDir?: string;
}

/** The system as `npm start` runs it, on databases and a namespace of its own: for the bench and the chaos run. */
export async function startLocalCluster(options: ClusterOptions): Promise<LocalCluster> {
  const id = `${options.name}_${Date.now().toString(36)}`;
  const names = [`${id}_orders`, `${id}_invoices`];
  await createDatabases(options.postgresUrl, names);
  const databases = { orders: databaseUrl(options.postgresUrl, names[0]), invoices: databaseUrl(options.postgresUrl, names[1]) };
  const { TRANSPORTER: _, ...inherited } = process.env;
  const env = {
    ...inherited,
    ...(options.transporter ? { TRANSPORTER: options.transporter } : {}),
    NAMESPACE: id,
    PORT: String(options.port),
    ORDERS_DATABASE_URL: databases.orders,
    INVOICES_DATABASE_URL: databases.invoices,
    LOG_LEVEL: "error",
    ...options.env,
  };
  const nodes = new Map<string, ChildProcess>();
  const roleOf = (name: string) => name.replace(/-\d+$/, "");
  function start(name: string) {
    // The node writes its log file itself, as under a container runtime: nothing passes through this process.
    const log = options.logDir === undefined ? undefined : openSync(join(options.logDir, `${name}.log`), "a");
    const child = spawnNode(roleOf(name), {
      env: { ...env, NODE_ID: `${name}-${id}` },
      stdio: ["ignore", log ?? "ignore", log ?? "inherit"],
    });
    if (log !== undefined) closeSync(log);
    nodes.set(name, child);
  }
  async function end(name: string, signal: NodeJS.Signals) {
    const child = nodes.get(name);
    nodes.delete(name);
    if (child) await ended(child, signal);
  }
  start("api");
  for (let i = 1; i <= options.ordersNodes; i++) start(`orders-${i}`);
  for (let i = 1; i <= options.invoicesNodes; i++) start(`invoices-${i}`);

  const url = `http://127.0.0.1:${options.port}`;
  async function stop() {
    await Promise.all([...nodes.keys()].map((name) => end(name, "SIGTERM")));
    await dropDatabases(options.postgresUrl, names);
  }
  async function waitUntilReady(seconds = 60) {
    for (const deadline = Date.now() + seconds * 1000; ; ) {
      const ready = await fetch(`${url}/ready`).then(
        (res) => res.ok,
        () => false,
      );
      if (ready) return;
      // A node that could not start (a bad setting, a missing build) ends at once: no use waiting the full time.
      const exited = [...nodes].filter(([, child]) => hasEnded(child)).map(([name]) => name);
      if (exited.length > 0) throw new Error(`Node(s) ${exited.join(", ")} exited before the cluster was ready`);
      if (Date.now() > deadline) throw new Error(`The cluster did not become ready within ${seconds} s`);
      await sleep(250);
    }
  }
  try {
    await waitUntilReady();
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    url,
    databases,
    nodes,
    kill: (name) => end(name, "SIGKILL"),
    shutDown: (name) => end(name, "SIGTERM"),
    start,
    waitUntilReady,
    stop,
  };
}
