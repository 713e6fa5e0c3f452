import { MAX_PAGE_SIZE } from "../../contracts/paging";
import { type Config, config } from "../config";

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
 *
 * The body limit bounds everything a client can make us carry: an order is at most its request plus
 * what the server adds, and so is its invoice, an event about it, a call creating it; a list page is
 * at most `MAX_PAGE_SIZE` of them. Limits under which that page would not fit a packet stop the node
 * at start-up.
 */
export interface TransportLimits {
  /** the largest packet a node sends, and accepts over TCP (`TRANSPORT_MAX_PACKET_BYTES`) */
  maxPacketBytes: number;
  /** the most one batch of events carries (the relay's, a commit's), and one consumer transaction applies */
  batchBytes: number;
  /** the largest single message or call: a packet less the room Moleculer's own fields take */
  maxMessageBytes: number;
  /** the largest request body the gateway accepts (`BODY_LIMIT`) */
  bodyLimitBytes: number;
  /** the largest order or invoice as JSON, or call or event carrying one */
  maxRecordBytes: number;
}

/** What Moleculer adds around a payload (ids, meta, headers, trace context): generous. */
const PACKET_FIELDS_BYTES = 64 * KiB;
/** A batch is about fewer packets; past a megabyte it saves nothing and only makes one stall longer. */
const BATCH_BYTES = 1 * MiB;
/** What the server adds to an order or invoice beyond its request's bytes (ids, totals, dates, numbers written out, an envelope). */
const RECORD_ADDITIONS_BYTES = 16 * KiB;

export function transportLimits(
  { TRANSPORT_MAX_PACKET_BYTES: maxPacketBytes, BODY_LIMIT_BYTES: bodyLimitBytes }: Config = config(),
): TransportLimits {
  const limits = {
    maxPacketBytes,
    batchBytes: Math.min(BATCH_BYTES, Math.floor(maxPacketBytes / 4)),
    maxMessageBytes: maxPacketBytes - PACKET_FIELDS_BYTES,
    bodyLimitBytes,
    maxRecordBytes: bodyLimitBytes + RECORD_ADDITIONS_BYTES,
  };
  const pageBytes = MAX_PAGE_SIZE * limits.maxRecordBytes;
  if (pageBytes > limits.maxMessageBytes) {
    throw new Error(
      `A body limit of ${bodyLimitBytes} bytes allows a page of ${MAX_PAGE_SIZE} records of up to ${pageBytes} bytes, ` +
        `more than a transporter packet carries (${limits.maxMessageBytes}): lower BODY_LIMIT or raise TRANSPORT_MAX_PACKET_BYTES`,
    );
  }
  return limits;
}

/**
 * How many calls one request of batched calls may carry: as many of the largest call the body limit
 * allows as fit one packet, so that neither the request nor its reply can outgrow it, and no call
 * need be measured on the way.
 */
export function callsPerBatch({ maxMessageBytes, maxRecordBytes }: TransportLimits, most = 100): number {
  return Math.max(1, Math.min(most, Math.floor(maxMessageBytes / maxRecordBytes)));
}
