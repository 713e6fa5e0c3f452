import { chmodSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runId } from "./environment";
import { freePort } from "./ports";

/** Where an `npm start` run beside the tests keeps its data, listens, and what its environment is. */
export interface Launch {
  dataDir: string;
  port: number;
  pgPort: number;
  env: NodeJS.ProcessEnv;
}

/**
 * An environment for `npm start` of its own: a fresh data folder, free ports for the gateway and the
 * embedded PostgreSQL, a namespace no other cluster on the machine has; `given` added, `unset` removed.
 */
export async function launch(given: NodeJS.ProcessEnv, unset: string[]): Promise<Launch> {
  const dataDir = mkdtempSync(join(tmpdir(), "orders-invoices-e2e-"));
  // PostgreSQL, run as the `postgres` user when the tests run as root, must reach this folder.
  chmodSync(dataDir, 0o755);
  const [port, pgPort] = [await freePort(), await freePort()];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    EMBEDDED_PG_PORT: String(pgPort),
    DATA_DIR: dataDir,
    NAMESPACE: runId(),
    ...given,
  };
  for (const name of unset) delete env[name];
  return { dataDir, port, pgPort, env };
}
