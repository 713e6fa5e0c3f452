import { Errors, type Middleware, type Transporters } from "moleculer";

type Send = (topic: string, data: Buffer, meta: { packet: Packet }) => Promise<unknown>;

interface Packet {
  type: string;
  payload: Record<string, unknown>;
}

/**
 * Never sends a packet larger than the transporter carries (transport-limits.ts): over TCP the
 * receiver would drop the link, and a sender retrying the same packet would loop for ever. A reply
 * too big becomes an error reply the caller gets at once; a request fails at the caller; an event is
 * dropped with an error in the log (integration events are sized by the relay before this, and their
 * outbox rows keep them). Our batches stay far below the limit: reaching it is a bug or a
 * misconfiguration, logged as such.
 */
export function packetLimit(maxPacketBytes: number): Middleware {
  return {
    name: "PacketLimit",
    transporterSend(next: Send): Send {
      return function (this: Transporters.Base, topic, data, meta) {
        if (data.length <= maxPacketBytes) return next(topic, data, meta);
        const { packet } = meta;
        const tooLarge = new Errors.MoleculerError(
          `A ${packet.type} packet of ${data.length} bytes is larger than the ${maxPacketBytes} bytes a transporter packet carries`,
          500,
          "PACKET_TOO_LARGE",
          { bytes: data.length, limit: maxPacketBytes },
        );
        this.logger.error(`${tooLarge.message} (${topic}); not sent`);
        if (packet.type === "RES") {
          const error = this.broker.errorRegenerator!.extractPlainError(tooLarge);
          const reply = { type: packet.type, payload: { id: packet.payload.id, meta: {}, headers: {}, success: false, data: null, error } };
          return next(topic, this.serialize(reply as never), meta);
        }
        // A balanced event's send promise is not awaited by Moleculer: rejecting it would go unhandled.
        return packet.type === "EVENT" ? Promise.resolve() : Promise.reject(tooLarge);
      };
    },
  } as unknown as Middleware;
}
