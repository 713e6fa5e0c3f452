import type { Logger } from "moleculer";
import type { EventEnvelope } from "../../../contracts/events/envelope";
import type { Config } from "../../config";
import { transportLimits } from "../../moleculer/transport-limits";
import { boundedBatches } from "../../units/bounded-runs";
import { InFlight } from "./in-flight";
import type { Outbox, OutgoingMessage } from "./outbox";

export interface RelayOptions {
  /** how often the outbox is polled when nothing kicks the relay */
  pollMs: number;
  /** most messages claimed in one pass, and sent in one event */
  batchSize: number;
  /** most bytes of messages sent in one event */
  batchBytes: number;
  /** a message bigger than this can never cross the transporter: it is parked, not retried */
  maxMessageBytes: number;
  /** most messages sent and not yet answered by their consumers (per group); the passes claim no more than the room left */
  maxInFlight: number;
  retryBaseMs: number;
  retryMaxMs: number;
}

export function relayOptions(config: Config): RelayOptions {
  const { batchBytes, maxMessageBytes } = transportLimits(config);
  return {
    pollMs: config.OUTBOX_POLL_MS,
    batchSize: config.OUTBOX_BATCH_SIZE,
    batchBytes,
    maxMessageBytes,
    maxInFlight: config.OUTBOX_MAX_IN_FLIGHT,
    retryBaseMs: config.OUTBOX_RETRY_BASE_MS,
    retryMaxMs: config.OUTBOX_RETRY_MAX_MS,
  };
}

export interface RelayPorts {
  /** the consumer groups of an event that some node up now serves */
  servedGroups(type: string): string[];
  /** Sends messages of one type to `groups` as one event (an `EventBatch`). */
  emit(type: string, envelopes: EventEnvelope<unknown>[], groups: string[]): Promise<void>;
}

/** Messages that go out together: one type, the same groups, within the batch's count and bytes. */
interface Batch {
  type: string;
  groups: string[];
  envelopes: EventEnvelope<unknown>[];
}

/** How the relay sorts messages for sending. */
interface Sorted {
  batches: Batch[];
  /** ids of messages none of whose groups a node up now serves */
  unreachable: string[];
  /** messages too big to ever cross the transporter, with their size */
  oversized: Array<{ id: string; bytes: number }>;
}

/**
 * Emits what a transaction wrote to the outbox right after it commits, then due outbox rows to the
 * groups that have not acknowledged them yet, with backoff, until every group has (or a consumer's
 * rejections park the message). Messages of one type for the same groups leave as one event.
 * Several instances may run against one database: each pass locks its rows with SKIP LOCKED.
 *
 * The relay keeps at most `maxInFlight` messages unanswered. Moleculer pushes events to a node as fast
 * as they are sent: a relay claiming a backlog faster than its consumer applies it would pile the
 * messages up in the consumer's memory, and send again those still waiting there when their backoff
 * ran out. A send counts until it is answered or its first backoff is over (`InFlight`); a pass claims
 * rows against the room as if each had one group.
 */
export class Relay {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private readonly inFlight: InFlight;
  /** the last pass stopped at the room in flight, with more perhaps due: an answer runs the next */
  private waitingForRoom = false;

  constructor(
    private readonly outbox: Outbox,
    private readonly ports: RelayPorts,
    private readonly options: RelayOptions,
    private readonly logger: Logger,
  ) {
    this.inFlight = new InFlight(options.retryBaseMs);
  }

  start(): void {
    this.timer = setInterval(() => this.kick(), this.options.pollMs);
    this.kick();
  }

  /**
   * Emits freshly committed messages at once to the consumer groups served now, as far as there is
   * room in flight. Their rows are due after the first backoff step: unacknowledged (or not sent) by
   * then, the passes take over. Nothing happens while the relay is stopped (or disabled): the rows are
   * all there is.
   */
  dispatch(messages: OutgoingMessage[]): void {
    if (!this.timer) return;
    // An oversized message is left to the passes, which park it.
    const { batches } = this.sort(
      messages.map(({ envelope, json, consumers }) => ({ envelope, bytes: Buffer.byteLength(json), groups: consumers })),
    );
    let room = this.options.maxInFlight - this.inFlight.size;
    for (const { type, groups, envelopes } of batches) {
      const count = envelopes.length * groups.length;
      if (count > room) break;
      room -= count;
      this.send(type, envelopes, groups).catch((err) =>
        this.logger.warn(`Emit of ${envelopes.length} ${type} failed; the relay retries: ${err.message}`),
      );
    }
  }

  /** Consumers answered `count` of the messages sent (applied or rejected them): room for more. */
  answered(count: number): void {
    this.inFlight.answered(count);
    // While a pass runs, it may yet stop at the window: it is followed by another.
    if (this.waitingForRoom || this.running) this.kick();
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
        if (await this.pass()) this.again = true;
      } catch (err) {
        this.logger.warn(`Outbox relay pass failed; retrying on the next tick: ${(err as Error).message}`);
      }
    } while (this.again && this.timer);
  }

  /**
   * Claims and sends what is due, as far as there is room in flight. True when more may be due and
   * there is room for it; when the room ran out first, answers run the next pass.
   */
  private async pass(): Promise<boolean> {
    const { batchSize, maxInFlight, retryBaseMs, retryMaxMs } = this.options;
    const claimable = Math.min(batchSize, maxInFlight - this.inFlight.size);
    this.waitingForRoom = claimable <= 0;
    if (this.waitingForRoom) return false;
    const messages = await this.outbox.claimDue(claimable, { baseMs: retryBaseMs, maxMs: retryMaxMs });
    const owed = messages.map(({ envelope, bytes, consumers, acked_by }) => ({
      envelope,
      bytes,
      groups: consumers.filter((group) => !acked_by.includes(group)),
    }));
    // Every group has acknowledged these, yet they are still here (the last acknowledgement's delete has
    // yet to run, or never ran): there is nobody left to send them to, so they go instead of waiting for ever.
    const delivered = owed.filter((message) => message.groups.length === 0).map((message) => message.envelope.id);
    if (delivered.length > 0) await this.outbox.deleteDelivered(delivered);
    const { batches, unreachable, oversized } = this.sort(owed.filter((message) => message.groups.length > 0));
    if (oversized.length > 0) {
      const limit = this.options.maxMessageBytes;
      this.logger.error(
        `Parked ${oversized.length} message(s) larger than the transporter carries (${limit} bytes): ${oversized.map((m) => m.id).join(", ")}`,
      );
      await this.outbox.park(
        oversized.map(({ id, bytes }) => ({ id, reason: `${bytes} bytes: larger than the ${limit} bytes a transporter packet carries` })),
      );
    }
    for (const { type, groups, envelopes } of batches) await this.send(type, envelopes, groups);
    // A node serving them brings them forward when it joins (`makeDueFor`); the longest backoff is only the
    // fallback. A shorter wait had the relay rewrite every waiting row each time round while a consumer was away.
    if (unreachable.length > 0) await this.outbox.awaitConsumers(unreachable, retryMaxMs);
    const moreDue = messages.length === claimable;
    this.waitingForRoom = moreDue && this.inFlight.size >= maxInFlight;
    return moreDue && !this.waitingForRoom;
  }

  private send(type: string, envelopes: EventEnvelope<unknown>[], groups: string[]): Promise<void> {
    this.inFlight.sent(envelopes.length * groups.length);
    return this.ports.emit(type, envelopes, groups);
  }

  /**
   * The messages grouped for sending: by type and by those of their `groups` a node up now serves, in
   * order of first appearance, each group cut into batches of at most `batchSize` messages and
   * `batchBytes` bytes. Which groups are served is asked once per type, not per message.
   */
  private sort(messages: Array<{ envelope: EventEnvelope<unknown>; bytes: number; groups: readonly string[] }>): Sorted {
    const { batchSize, batchBytes, maxMessageBytes } = this.options;
    const groups = new Map<string, { type: string; groups: string[]; sized: Array<{ envelope: EventEnvelope<unknown>; bytes: number }> }>();
    const unreachable: string[] = [];
    const oversized: Sorted["oversized"] = [];
    const servedByType = new Map<string, string[]>();
    for (const { envelope, bytes, groups: wanted } of messages) {
      if (bytes > maxMessageBytes) {
        oversized.push({ id: envelope.id, bytes });
        continue;
      }
      const served = servedByType.get(envelope.type) ?? this.ports.servedGroups(envelope.type);
      servedByType.set(envelope.type, served);
      const reachable = wanted.filter((group) => served.includes(group));
      if (reachable.length === 0) {
        unreachable.push(envelope.id);
        continue;
      }
      const key = `${envelope.type} ${reachable.join(" ")}`;
      const group = groups.get(key) ?? { type: envelope.type, groups: reachable, sized: [] };
      group.sized.push({ envelope, bytes });
      groups.set(key, group);
    }
    const batches = [...groups.values()].flatMap(({ type, groups: reachable, sized }) =>
      boundedBatches(sized, (message) => message.bytes, batchSize, batchBytes).map((run) => ({
        type,
        groups: reachable,
        envelopes: run.map((message) => message.envelope),
      })),
    );
    return { batches, unreachable, oversized };
  }
}
