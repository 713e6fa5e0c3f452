import { Transporters } from "moleculer";

/** The parts of amqplib's connection this touches; amqplib exports no type for them. */
interface FrameWriter {
  out: { cork(): void; uncork(): void };
  _readIncoming(): void;
}

type Consume = (msg: unknown) => void | Promise<void>;

/** What this touches of an amqplib delivery. */
interface Delivery {
  fields: { redelivered: boolean };
}

/**
 * Moleculer's AMQP transporter, with two changes.
 *
 * A request runs at most once. Moleculer acknowledges a request only after its handler, so a node
 * killed with requests in hand gets them again from its queue when it comes back under the same node
 * ID: they may have run already (an order without an Idempotency-Key would be created twice), and
 * before its services have started the node even answers them SERVICE_NOT_FOUND, which the caller
 * retries. RabbitMQ marks such a delivery `redelivered`; it is dropped, and its caller answers
 * OUTCOME_UNKNOWN when it times out. Acknowledging on arrival instead would cost a write of its own
 * per request; as it is, the acknowledgement leaves with the reply.
 *
 * The frames amqplib writes in one pass leave in one `writev`. amqplib's frame writer (its `Mux`)
 * hands every queued frame (each publish, each ack) to the socket with its own `write`; with `noDelay`
 * each is a syscall and a TCP packet RabbitMQ wakes up for. A committed batch publishes its events and
 * acks its deliveries in the same tick, so corking the socket for the pass sends them together.
 * amqplib (up to 2.3.1) has no such option.
 */
export class AmqpTransporter extends Transporters.AMQP {
  override async connect(...args: unknown[]): Promise<void> {
    await (super.connect as (...a: unknown[]) => Promise<void>).apply(this, args);
    corkEachPass(this.connection.connection.muxer);
  }

  override _consumeCB(cmd: string, needAck = false): Consume {
    const consume = super._consumeCB(cmd, needAck);
    if (cmd !== "REQ") return consume;
    return (msg) => {
      if (!(msg as Delivery).fields.redelivered) return consume(msg);
      this.logger.warn("Dropped a request delivered again after a node stopped with it in hand: it may have run already");
      this.channel?.ack(msg as never);
    };
  }
}

function corkEachPass(writer: FrameWriter): void {
  const pass = writer._readIncoming.bind(writer);
  writer._readIncoming = () => {
    writer.out.cork();
    try {
      pass();
    } finally {
      writer.out.uncork();
    }
  };
}
