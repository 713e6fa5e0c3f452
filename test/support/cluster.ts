import type { ChildProcess } from "node:child_process";
import { closeSync, mkdirSync, openSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ended } from "../../scripts/child-process";
import { spawnNode } from "../../scripts/moleculer-node";
import { runId } from "./environment";
import { eventually } from "./eventually";
import { type HttpClient, httpClient } from "./http";
import { freePort } from "./ports";
import { createDatabases, databaseUrl, dropDatabases } from "./postgres";
import { createVhost, deleteVhost } from "./rabbitmq";

export const ROLES = ["api", "orders", "invoices"] as const;
export type Role = (typeof ROLES)[number];

export interface Cluster {
  id: string;
  baseUrl: string;
  http: HttpClient;
  /** the environment every node of this cluster runs with (for a REPL, say) */
  env: NodeJS.ProcessEnv;
  /** RabbitMQ vhost; unused over TCP */
  vhost: string;
  databases: { orders: string; invoices: string };
  /** each role's Prometheus port (`/metrics`), when started with `metrics: true` */
  metricsPorts: Partial<Record<Role, number>>;
  /** what a node instance printed so far */
  logs(instance: string): string;
  /** starts a node; the first three instances are named after their role, extra ones (e.g. `invoices-2`) get that name as node ID */
  startNode(instance: string, role: Role, env?: Record<string, string>): Promise<void>;
  /** SIGTERM: Moleculer's graceful stop */
  stopNode(instance: string): Promise<void>;
  /** SIGKILL: a crash */
  killNode(instance: string): Promise<void>;
  /** until `GET /ready` answers 200 */
  waitUntilReady(): Promise<void>;
  stop(): Promise<void>;
}

export interface ClusterOptions {
  /** `amqp` (default): RabbitMQ, a vhost of the cluster's own; `tcp`: Moleculer's TCP transporter, as `npm start` runs */
  transport?: "amqp" | "tcp";
  /** each node serves Prometheus metrics on a port of its own (`metricsPorts`) */
  metrics?: boolean;
}

/**
 * gateway, orders and invoices as real moleculer-runner processes over RabbitMQ (a vhost of their
 * own) or TCP, and PostgreSQL (databases of their own), ready when `GET /ready` says so. `env` is
 * added to every node's environment. Everything it creates, `stop()` removes.
 */
export async function startCluster(
  env: Record<string, string> = {},
  { transport = "amqp", metrics = false }: ClusterOptions = {},
): Promise<Cluster> {
  const id = runId();
  const databases = { orders: `${id}_orders`, invoices: `${id}_invoices` };
  const logDir = join(tmpdir(), "orders-invoices-tests", id);
  mkdirSync(logDir, { recursive: true });

  await createDatabases(Object.values(databases));
  const transporter = transport === "amqp" ? await createVhost(id) : undefined;
  const port = await freePort();
  const metricsPorts: Partial<Record<Role, number>> = {};
  if (metrics) for (const role of ROLES) metricsPorts[role] = await freePort();
  const { TRANSPORTER: _, ...inherited } = process.env;
  const clusterEnv: NodeJS.ProcessEnv = {
    ...inherited,
    ...(transporter ? { TRANSPORTER: transporter } : {}),
    NAMESPACE: id,
    ORDERS_DATABASE_URL: databaseUrl(databases.orders),
    INVOICES_DATABASE_URL: databaseUrl(databases.invoices),
    PORT: String(port),
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "info",
    ...env,
  };

  const nodes = new Map<string, ChildProcess>();
  const logFile = (instance: string) => join(logDir, `${instance}.log`);
  const logs = (instance: string) => readFileSync(logFile(instance), "utf8");
  const baseUrl = `http://127.0.0.1:${port}`;
  const http = httpClient(baseUrl);

  function spawnInstance(instance: string, role: Role, extraEnv: Record<string, string> = {}): ChildProcess {
    const nodeEnv = { ...clusterEnv, ...(instance === role ? {} : { NODE_ID: instance }), ...extraEnv };
    // The node writes its log file itself: a line is there as soon as the node has written it.
    const log = openSync(logFile(instance), "a");
    const child = spawnNode(role, { env: nodeEnv, stdio: ["ignore", log, log] });
    closeSync(log);
    nodes.set(instance, child);
    return child;
  }

  async function endNode(instance: string, signal: NodeJS.Signals): Promise<void> {
    const child = nodes.get(instance);
    nodes.delete(instance);
    if (child) await ended(child, signal);
  }

  async function waitUntilReady(): Promise<void> {
    await eventually(async () => {
      const exited = [...nodes].find(([, child]) => child.exitCode !== null);
      if (exited) throw new Error(`The ${exited[0]} node exited:\n${logs(exited[0])}`);
      const { status } = await http.get("/ready");
      if (status !== 200) throw new Error(`/ready answered ${status}`);
    });
  }

  async function startNode(instance: string, role: Role, extraEnv?: Record<string, string>): Promise<void> {
    const child = spawnInstance(instance, role, extraEnv);
    const from = readLogLength(instance);
    await eventually(async () => {
      if (child.exitCode !== null) throw new Error(`The ${instance} node exited:\n${logs(instance)}`);
      expect(logs(instance).slice(from)).toMatch(/ServiceBroker with \d+ service\(s\) started successfully/);
    });
    await waitUntilReady();
  }

  function readLogLength(instance: string): number {
    try {
      return logs(instance).length;
    } catch {
      return 0;
    }
  }

  async function stop(): Promise<void> {
    await Promise.all([...nodes.keys()].map((instance) => endNode(instance, "SIGTERM")));
    await dropDatabases(Object.values(databases));
    if (transporter) await deleteVhost(id);
  }

  for (const role of ROLES) spawnInstance(role, role, metrics ? { METRICS_PORT: String(metricsPorts[role]) } : {});
  try {
    await waitUntilReady();
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    id,
    baseUrl,
    http,
    env: clusterEnv,
    vhost: id,
    databases,
    metricsPorts,
    logs,
    startNode,
    stopNode: (instance) => endNode(instance, "SIGTERM"),
    killNode: (instance) => endNode(instance, "SIGKILL"),
    waitUntilReady,
    stop,
  };
}
