import { setTimeout as sleep } from "node:timers/promises";
import { isLostConnection, isTransient } from "../db/errors";

/** How often a unit of work that lost a race runs again, and the first backoff step. */
export interface TransientRetry {
  attempts: number;
  baseMs: number;
}

export const TRANSIENT_RETRY: TransientRetry = { attempts: 5, baseMs: 10 };

/**
 * Runs a unit of work again when it failed for a reason that passes and surely did not commit: PostgreSQL
 * rolled it back for losing a race (a deadlock, a serialization failure), or its connection broke
 * before it committed (a stale connection from the pool, a restarted server; one that broke while
 * committing is found out first, see commit-outcome.ts, and comes here only if it did not commit).
 * The pause is random, up to base, 2×base, 4×base…: two contenders then rarely meet again. Any other
 * failure, or the last one, is thrown. `work` must start afresh each time.
 */
export async function retryTransient<T>(work: () => Promise<T>, { attempts, baseMs }: TransientRetry = TRANSIENT_RETRY): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      if (attempt >= attempts || !(isTransient(err) || isLostConnection(err))) throw err;
      await sleep(Math.random() * baseMs * 2 ** (attempt - 1));
    }
  }
}
