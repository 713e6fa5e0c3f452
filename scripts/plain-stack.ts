import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { ended } from "./child-process";
import type { LocalCluster } from "./local-cluster";
import { PLAIN_SCHEMA } from "./plain-service";
import { createDatabases, databaseUrl, dropDatabases, query } from "./postgres-admin";

/** What the bench drives and measures: this system (a LocalCluster) or the plain stack. */
export type BenchStack = Pick<LocalCluster, "url" | "databases" | "nodes" | "stop">;

/**
 * The plain stack of scripts/plain-service.ts, on databases and a queue of its own: an orders process
 * (HTTP on `port`) and an invoices process, as `plain-orders` and `plain-invoices`.
 */
export async function startPlainStack(postgresUrl: string, amqpUrl: string, port: number): Promise<BenchStack> {
  const id = `plain_${Date.now().toString(36)}`;
  const names = [`${id}_orders`, `${id}_invoices`];
  await createDatabases(postgresUrl, names);
  const databases = { orders: databaseUrl(postgresUrl, names[0]), invoices: databaseUrl(postgresUrl, names[1]) };
  await query(databases.orders, PLAIN_SCHEMA.orders);
  await query(databases.invoices, PLAIN_SCHEMA.invoices);

  const service = join(__dirname, "plain-service.js");
  const nodes = new Map<string, ChildProcess>();
  for (const role of ["orders", "invoices"] as const) {
    const env = { ...process.env, DATABASE_URL: databases[role], AMQP_URL: amqpUrl, QUEUE: id, PORT: String(port) };
    nodes.set(`plain-${role}`, spawn(process.execPath, [service, role], { env, stdio: ["ignore", "ignore", "inherit"] }));
  }
  const url = `http://127.0.0.1:${port}`;
  async function stop() {
    await Promise.all([...nodes.values()].map((child) => ended(child)));
    await dropDatabases(postgresUrl, names);
  }
  // Up once it answers at all (anything but POST /orders is a 500 from an empty body).
  for (
    const deadline = Date.now() + 30_000;
    !(await fetch(url).then(
      () => true,
      () => false,
    ));
    await sleep(100)
  ) {
    if (Date.now() > deadline) {
      await stop();
      throw new Error("The plain stack did not start within 30 s");
    }
  }
  return { url, databases, nodes, stop };
}
