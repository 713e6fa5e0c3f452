import type { Logger } from "moleculer";
import type { EventEnvelope } from "../contracts/events/envelope";
import type { Outbox, OutgoingMessage } from "./outbox";

export interface RelayOptions {
  /** how often the outbox is polled when nothing kicks the relay */
  pollMs: number;
  batchSize: number;
  retryBaseMs: number;
  retryMaxMs: number;
}

export function relayOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): RelayOptions {
  return {
    pollMs: Number(env.OUTBOX_POLL_MS ?? 1_000),
    batchSize: Number(env.OUTBOX_BATCH_SIZE ?? 100),
    retryBaseMs: Number(env.OUTBOX_RETRY_BASE_MS ?? 1_000),
    retryMaxMs: Number(env.OUTBOX_RETRY_MAX_MS ?? 30_000),
  };
}

export interface RelayPorts {
  /** the consumer groups of an event that this node currently knows */
  knownGroups(type: string): string[];
  /** Sends messages of one type to `groups` as one event (an `EventBatch`). */
  emit(type: string, envelopes: EventEnvelope<unknown>[], groups: string[]): Promise<void>;
}

/** Messages that go out together: one type, the same groups. */
interface Batch {
  type: string;
  groups: string[];
  envelopes: EventEnvelope<unknown>[];
}

/**
 * Emits what a transaction wrote to the outbox right after it commits, then due outbox rows to the
 * groups that have not acknowledged them yet, with backoff, until every group has (or a consumer's
 * rejections park the message). Messages of one type for the same groups leave as one event.
 * Several instances may run against one database: each pass locks its rows with SKIP LOCKED.
 */
export class Relay {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;

  constructor(
    private readonly outbox: Outbox,
    private readonly ports: RelayPorts,
    private readonly options: RelayOptions,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.kick(), this.options.pollMs);
    this.kick();
  }

  /**
   * Emits freshly committed messages at once to the consumer groups known now. Their rows are due
   * after the first backoff step: unacknowledged by then, the passes take over. Nothing happens while
   * the relay is stopped (or disabled): the rows are all there is.
   */
  dispatch(messages: OutgoingMessage[]): void {
    if (!this.timer) return;
    const { batches } = this.batches(messages.map(({ envelope, consumers }) => ({ envelope, groups: consumers })));
    for (const { type, groups, envelopes } of batches) {
      this.ports
        .emit(type, envelopes, groups)
        .catch((err) => this.logger.warn(`Emit of ${envelopes.length} ${type} failed; the relay retries: ${err.message}`));
    }
  }

  /** Runs a pass now, or right after the one in progress. */
  kick(): void {
    if (!this.timer) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.passes().finally(() => (this.running = undefined));
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private async passes(): Promise<void> {
    do {
      this.again = false;
      try {
        const claimed = await this.pass();
        if (claimed === this.options.batchSize) this.again = true;
      } catch (err) {
        this.logger.warn(`Outbox relay pass failed; retrying on the next tick: ${(err as Error).message}`);
      }
    } while (this.again && this.timer);
  }

  private async pass(): Promise<number> {
    const { batchSize, retryBaseMs, retryMaxMs } = this.options;
    const messages = await this.outbox.claimDue(batchSize, { baseMs: retryBaseMs, maxMs: retryMaxMs });
    const { batches, unreachable } = this.batches(
      messages.map((message) => ({ envelope: message.envelope, groups: message.consumers.filter((group) => !message.acked_by.includes(group)) })),
    );
    for (const { type, groups, envelopes } of batches) await this.ports.emit(type, envelopes, groups);
    if (unreachable.length > 0) await this.outbox.awaitConsumers(unreachable, retryBaseMs);
    return messages.length;
  }

  /**
   * The messages grouped for sending: by type and by those of their `groups` this node currently
   * knows a consumer for, in order of first appearance. The ids of messages no group of which is known are `unreachable`.
   */
  private batches(messages: Array<{ envelope: EventEnvelope<unknown>; groups: readonly string[] }>): { batches: Batch[]; unreachable: string[] } {
    const batches = new Map<string, Batch>();
    const unreachable: string[] = [];
    for (const { envelope, groups } of messages) {
      const known = this.ports.knownGroups(envelope.type);
      const reachable = groups.filter((group) => known.includes(group));
      if (reachable.length === 0) {
        unreachable.push(envelope.id);
        continue;
      }
      const key = `${envelope.type} ${reachable.join(" ")}`;
      const batch = batches.get(key) ?? { type: envelope.type, groups: reachable, envelopes: [] };
      batch.envelopes.push(envelope);
      batches.set(key, batch);
    }
    return { batches: [...batches.values()], unreachable };
  }
}
