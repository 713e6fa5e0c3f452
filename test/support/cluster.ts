import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createWriteStream, mkdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnNode } from "../../scripts/moleculer-node";
import { runId } from "./environment";
import { eventually } from "./eventually";
import { httpClient, type HttpClient } from "./http";
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
  vhost: string;
  databases: { orders: string; invoices: string };
  logs(role: Role): string;
  stop(): Promise<void>;
}

/**
 * gateway, orders and invoices as three real moleculer-runner processes over RabbitMQ (a vhost
 * of their own) and PostgreSQL (databases of their own), ready when `GET /ready` says so.
 * Everything it creates, `stop()` removes.
 */
export async function startCluster(): Promise<Cluster> {
  const id = runId();
  const databases = { orders: `${id}_orders`, invoices: `${id}_invoices` };
  const logDir = join(tmpdir(), "orders-invoices-tests", id);
  mkdirSync(logDir, { recursive: true });

  await createDatabases(Object.values(databases));
  const transporter = await createVhost(id);
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TRANSPORTER: transporter,
    NAMESPACE: id,
    ORDERS_DATABASE_URL: databaseUrl(databases.orders),
    INVOICES_DATABASE_URL: databaseUrl(databases.invoices),
    PORT: String(port),
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "info",
  };

  const nodes = new Map<Role, ChildProcess>();
  for (const role of ROLES) {
    const child = spawnNode(role, { env, stdio: ["ignore", "pipe", "pipe"] });
    const log = createWriteStream(join(logDir, `${role}.log`));
    child.stdout!.pipe(log);
    child.stderr!.pipe(log);
    nodes.set(role, child);
  }

  const baseUrl = `http://127.0.0.1:${port}`;
  const http = httpClient(baseUrl);
  const logs = (role: Role) => readFileSync(join(logDir, `${role}.log`), "utf8");

  async function stop(): Promise<void> {
    await Promise.all(
      [...nodes.values()].map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = once(child, "exit");
        child.kill("SIGTERM");
        await exited;
      }),
    );
    await dropDatabases(Object.values(databases));
    await deleteVhost(id);
  }

  try {
    await eventually(async () => {
      const exited = [...nodes].find(([, child]) => child.exitCode !== null);
      if (exited) throw new Error(`The ${exited[0]} node exited:\n${logs(exited[0])}`);
      const { status } = await http.get("/ready");
      if (status !== 200) throw new Error(`/ready answered ${status}`);
    });
  } catch (err) {
    await stop();
    throw err;
  }
  return { id, baseUrl, http, env, vhost: id, databases, logs, stop };
}
