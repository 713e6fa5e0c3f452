import { Transporters } from "moleculer";

/** The parts of amqplib's connection this touches; amqplib exports no type for them. */
interface FrameWriter {
  out: { cork(): void; uncork(): void };
  _readIncoming(): void;
}

type Consume = (msg: unknown) => void | Promise<void>;

/**
 * Moleculer's AMQP transporter, with two changes.
 *
 * A request is taken off its queue as it arrives, not once it is answered. Moleculer acknowledges a
 * request only after its handler, so RabbitMQ delivers it again should the node die on the way, and
 * the node's next incarnation (same node ID, same queue) runs it a second time: an order without an
 * Idempotency-Key would be created twice. A request runs at most once; one cut short by a crash is
 * answered OUTCOME_UNKNOWN at the gateway. It also means requests no longer wait unseen in RabbitMQ
 * behind the prefetch limit: they reach the node, whose admission control answers them.
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
    if (cmd !== "REQ" || !needAck) return super._consumeCB(cmd, needAck);
    const consume = super._consumeCB(cmd, false);
    return (msg) => {
      this.channel?.ack(msg as never);
      return consume(msg);
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
