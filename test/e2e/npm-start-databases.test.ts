import { spawn } from "node:child_process";
import { once } from "node:events";
import { rmSync } from "node:fs";
import { join } from "node:path";
import type { Order } from "../../contracts/orders";
import { hasEnded } from "../../scripts/child-process";
import * as admin from "../../scripts/postgres-admin";
import { runId } from "../support/environment";
import { eventually } from "../support/eventually";
import { httpClient } from "../support/http";
import { launch } from "../support/launcher";
import { orderBody } from "../support/orders";
import { createDatabases, databaseUrl, dropDatabases, queryDatabase } from "../support/postgres";

/**
 * `npm start` given one database's URL: that database is used as given, and only the other is made on
 * the embedded PostgreSQL the launcher starts.
 */
it("npm start uses the orders database it is given and embeds only the invoices'", async () => {
  const ordersDatabase = `${runId()}_orders`;
  await createDatabases([ordersDatabase]);
  const { dataDir, port, pgPort, env } = await launch({ ORDERS_DATABASE_URL: databaseUrl(ordersDatabase) }, [
    "TRANSPORTER",
    "INVOICES_DATABASE_URL",
  ]);
  const launcher = spawn(process.execPath, [join(__dirname, "../../dist/scripts/start.js")], {
    env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  launcher.stdout!.on("data", (chunk) => (output += chunk));
  launcher.stderr!.on("data", (chunk) => (output += chunk));
  try {
    await eventually(
      async () => {
        if (hasEnded(launcher)) throw new Error(`npm start exited:\n${output}`);
        expect(output).toContain(`running: http://localhost:${port}`);
      },
      { attempts: 600 },
    );
    expect(output).toContain("orders database: from the environment, invoices database: embedded PostgreSQL");

    const http = httpClient(`http://127.0.0.1:${port}`);
    const created = await http.post<Order>("/orders", orderBody("given-database"));
    expect(created.status).toBe(201);
    expect(await queryDatabase(ordersDatabase, "SELECT id FROM orders")).toEqual([{ id: created.body.id }]);
    await eventually(async () => expect((await http.get<Order>(`/orders/${created.body.id}`)).body.status).toBe("invoiced"));
    const embedded = await admin.query(`postgres://postgres:postgres@127.0.0.1:${pgPort}/postgres`, "SELECT datname FROM pg_database");
    expect(embedded.map(({ datname }) => datname)).toEqual(expect.arrayContaining(["invoices"]));
    expect(embedded.map(({ datname }) => datname)).not.toContain("orders");
  } finally {
    if (!hasEnded(launcher)) {
      const exited = once(launcher, "exit");
      process.kill(-launcher.pid!, "SIGINT");
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
    await dropDatabases([ordersDatabase]);
  }
});
