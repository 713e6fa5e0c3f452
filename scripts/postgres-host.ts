import { startEmbeddedPostgres } from "./embedded-postgres";
import type { HostMessage } from "./postgres-process";

/**
 * Child process forked by postgres-process.ts: starts the embedded PostgreSQL, reports its URLs,
 * and stops it when the launcher disconnects, asked or not (a killed launcher included).
 * Usage: postgres-host.js <dataDir> <port> <database>...
 */
async function host(): Promise<void> {
  const [dataDir, port, ...databases] = process.argv.slice(2);
  try {
    const server = await startEmbeddedPostgres(dataDir, Number(port), databases);
    process.once("disconnect", () => void server.stop().finally(() => process.exit(0)));
    process.send!({ urls: server.urls } satisfies HostMessage);
  } catch (err) {
    process.send!({ error: (err as Error).message } satisfies HostMessage);
    process.exit(1);
  }
}

void host();
