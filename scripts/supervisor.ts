import type { ChildProcess } from "node:child_process";

/**
 * Keeps child processes running, as a process manager does: a child that dies while the supervisor
 * is not stopping, however it died, is started again. The wait doubles with each quick death, so a
 * crash loop neither spins the CPU nor floods the log, and starts over once a child has stayed up,
 * so the first crash after a long healthy run is retried quickly.
 */
export interface Backoff {
  initialMs: number;
  maxMs: number;
  /** A child that was up at least this long when it died was healthy: its restart waits initialMs again. */
  resetAfterMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { initialMs: 1_000, maxMs: 30_000, resetAfterMs: 60_000 };

/**
 * The wait before restarting a child that died after `upMs`, when `quickDeaths` quick deaths in a row
 * came before; and the count to pass for its next death.
 */
export function nextRestart(quickDeaths: number, upMs: number, backoff: Backoff = DEFAULT_BACKOFF) {
  const streak = upMs >= backoff.resetAfterMs ? 0 : quickDeaths;
  return { delayMs: Math.min(backoff.initialMs * 2 ** streak, backoff.maxMs), quickDeaths: streak + 1 };
}

export interface Supervisor {
  /** Starts `name` now, and again whenever it dies, until stop(). */
  start(name: string, spawn: () => ChildProcess): void;
  /**
   * No more restarts, pending ones cancelled; SIGTERM to every child, SIGKILL to those still running
   * `timeoutMs` later; resolves once all have exited.
   */
  stop(timeoutMs: number): Promise<void>;
  /** SIGKILL to every child: for a process "exit" handler, which cannot wait. */
  kill(): void;
}

export interface SupervisorOptions {
  backoff?: Backoff;
  log?: (line: string) => void;
  warn?: (line: string) => void;
}

export function supervisor({ backoff = DEFAULT_BACKOFF, log = console.log, warn = console.error }: SupervisorOptions = {}): Supervisor {
  /** Each running child → resolves with how it ended. */
  const running = new Map<ChildProcess, Promise<string>>();
  const pending = new Set<NodeJS.Timeout>();
  let stopping = false;

  function start(name: string, spawn: () => ChildProcess): void {
    let quickDeaths = 0;
    const run = (verb: string) => {
      const child = spawn();
      const startedAt = Date.now();
      const ended = new Promise<string>((resolve) => {
        child.once("exit", (code, signal) => resolve(signal ?? `exit code ${code}`));
        // A child that could not be spawned at all emits "error" and never "exit".
        child.on("error", (err) => (child.pid === undefined ? resolve(`not started: ${err.message}`) : warn(`${name}: ${err.message}`)));
      });
      running.set(child, ended);
      if (child.pid !== undefined) log(`${name} ${verb} (pid ${child.pid})`);
      void ended.then((how) => {
        running.delete(child);
        if (stopping) return;
        const next = nextRestart(quickDeaths, Date.now() - startedAt, backoff);
        quickDeaths = next.quickDeaths;
        warn(`${name} died (${how}); restarting it in ${duration(next.delayMs)}`);
        const timer = setTimeout(() => {
          pending.delete(timer);
          run("restarted");
        }, next.delayMs);
        pending.add(timer);
      });
    };
    if (!stopping) run("started");
  }

  async function stop(timeoutMs: number): Promise<void> {
    stopping = true;
    pending.forEach(clearTimeout);
    pending.clear();
    for (const child of running.keys()) child.kill("SIGTERM");
    const timer = setTimeout(kill, timeoutMs);
    await Promise.all(running.values());
    clearTimeout(timer);
  }

  function kill(): void {
    for (const child of running.keys()) child.kill("SIGKILL");
  }

  return { start, stop, kill };
}

const duration = (ms: number) => (ms < 1_000 ? `${ms} ms` : `${ms / 1_000} s`);
