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
  emit(envelope: EventEnvelope<unknown>, groups: string[]): Promise<void>;
}

/**
 * Emits what a transaction wrote to the outbox right after it commits, then due outbox rows to the groups that have not acknowledged them yet, with backoff, until every
 * group has (or a consumer's rejections park the message). Several instances may run against one
 * database: each pass locks its rows with SKIP LOCKED.
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
    for (const { envelope, consumers } of messages) {
      const reachable = this.reachable(envelope.type, consumers);
      if (reachable.length > 0) {
        this.ports.emit(envelope, reachable).catch((err) => this.logger.warn(`Emit of ${envelope.id} failed; the relay retries: ${err.message}`));
      }
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
    const waiting: string[] = [];
    for (const message of messages) {
      const pending = message.consumers.filter((group) => !message.acked_by.includes(group));
      const reachable = this.reachable(message.type, pending);
      if (reachable.length === 0) waiting.push(message.id);
      else await this.ports.emit(message.envelope, reachable);
    }
    if (waiting.length > 0) await this.outbox.awaitConsumers(waiting, retryBaseMs);
    return messages.length;
  }

  /** Those of `groups` this node currently knows a consumer for. */
  private reachable(type: string, groups: readonly string[]): string[] {
    const known = this.ports.knownGroups(type);
    return groups.filter((group) => known.includes(group));
  }
}
