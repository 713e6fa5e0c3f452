import { setTimeout as sleep } from "node:timers/promises";

/**
 * Retries `probe` until it stops throwing. The bound is generous on purpose: it only stops a
 * broken system from hanging the suite, it is not a speed requirement.
 */
export async function eventually<T>(probe: () => Promise<T>, { attempts = 150, intervalMs = 200 } = {}): Promise<T> {
  let lastError: unknown;
  for (let attempt = 0; attempt < attempts; attempt++) {
    try {
      return await probe();
    } catch (err) {
      lastError = err;
      await sleep(intervalMs);
    }
  }
  throw lastError;
}
