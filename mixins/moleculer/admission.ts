import { type Config, config } from "../config";

/**
 * Admission control for an action that does a client's work, with Moleculer's bulkhead: on each
 * node, at most `ADMISSION_CONCURRENCY` calls of the action run at once and `ADMISSION_QUEUE_SIZE`
 * wait; the next one is refused at once (QUEUE_FULL, answered 503 OVERLOADED with Retry-After)
 * instead of joining a queue its caller would time out in. The running calls include those waiting
 * for their group commit, so the concurrency allows two full batches (`COMMAND_BATCH_SIZE`).
 */
export function admission({ ADMISSION_CONCURRENCY, ADMISSION_QUEUE_SIZE }: Config = config()) {
  return { bulkhead: { enabled: true, concurrency: ADMISSION_CONCURRENCY, maxQueueSize: ADMISSION_QUEUE_SIZE } } as const;
}

/** The refusals of our own admission control: the endpoint is busy, not broken (circuit breaker). */
export const OVERLOAD_REFUSALS: ReadonlySet<string> = new Set(["QUEUE_FULL", "DEADLINE_EXCEEDED", "DATABASE_BUSY"]);
