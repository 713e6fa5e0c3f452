import { integerFromEnv } from "./env";

const KiB = 1024;
const MiB = 1024 * KiB;

/**
 * How much crosses the transporter at once, known in one place.
 *
 * A packet bigger than the receiver accepts is worse than an error: Moleculer's TCP transporter drops
 * the link on a packet over its `maxPacketSize` (1 MiB unless set), and RabbitMQ closes the channel on
 * a message over its `max_message_size` (16 MiB since RabbitMQ 4.0, 128 MiB before). Every node sets
 * TCP's limit to `maxPacketBytes` and assumes RabbitMQ's is at least that; nothing larger is sent
 * (packet-limit.middleware.ts), and our batches stay far below it.
 */
export interface TransportLimits {
  /** the largest packet a node sends, and accepts over TCP (`TRANSPORT_MAX_PACKET_BYTES`) */
  maxPacketBytes: number;
  /** the most one batch of ours carries (relay and event batches, the gateway's call batches) */
  batchBytes: number;
  /** the largest single message or call: a packet less the room Moleculer's own fields take */
  maxMessageBytes: number;
}

/** What Moleculer adds around a payload (ids, meta, headers, trace context): generous. */
const PACKET_FIELDS_BYTES = 64 * KiB;
/** A batch is about fewer packets; past a megabyte it saves nothing and only makes one stall longer. */
const BATCH_BYTES = 1 * MiB;

export function transportLimits(env: NodeJS.ProcessEnv = process.env): TransportLimits {
  const maxPacketBytes = integerFromEnv("TRANSPORT_MAX_PACKET_BYTES", 16 * MiB, { min: 1 * MiB }, env);
  return {
    maxPacketBytes,
    batchBytes: Math.min(BATCH_BYTES, Math.floor(maxPacketBytes / 4)),
    maxMessageBytes: maxPacketBytes - PACKET_FIELDS_BYTES,
  };
}

/** Bytes of `value` as JSON, as Moleculer's JSON serializer sends it. */
export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? "");
}

/**
 * Splits `items` into runs of at most `maxCount` items and `maxBytes` bytes (`sizeOf` each), in
 * order. An item bigger than `maxBytes` on its own travels alone.
 */
export function boundedBatches<T>(items: T[], sizeOf: (item: T) => number, maxCount: number, maxBytes: number): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = sizeOf(item);
    if (current.length > 0 && (current.length >= maxCount || bytes + size > maxBytes)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** What the server adds to a stored order or invoice beyond its request's bytes (ids, totals, dates, numbers written out). */
const RECORD_ADDITIONS_BYTES = 16 * KiB;

/**
 * A list page is at most `maxPageSize` records, each at most a request body (`bodyLimitBytes`) plus
 * what the server adds, and travels as one reply. Settings that allow a page larger than a packet
 * stop the node at start-up, instead of failing the first such page.
 */
export function checkPagesFit(limits: TransportLimits, bodyLimitBytes: number, maxPageSize: number): void {
  const pageBytes = maxPageSize * (bodyLimitBytes + RECORD_ADDITIONS_BYTES);
  if (pageBytes > limits.maxMessageBytes) {
    throw new Error(
      `A body limit of ${bodyLimitBytes} bytes allows a page of ${maxPageSize} records of up to ${pageBytes} bytes, ` +
        `more than a transporter packet carries (${limits.maxMessageBytes}): lower BODY_LIMIT or raise TRANSPORT_MAX_PACKET_BYTES`,
    );
  }
}
