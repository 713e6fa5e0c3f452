import { Transporters } from "moleculer";

/** The parts of amqplib's connection this touches; amqplib exports no type for them. */
interface FrameWriter {
  out: { cork(): void; uncork(): void };
  _readIncoming(): void;
}

/**
 * Moleculer's AMQP transporter, with the frames amqplib writes in one pass leaving in one `writev`.
 *
 * amqplib's frame writer (its `Mux`) hands every queued frame — each publish, each ack — to the
 * socket with its own `write`; with `noDelay` each is a syscall and a TCP packet RabbitMQ wakes up
 * for. A committed batch publishes its events and acks its deliveries in the same tick, so corking
 * the socket for the pass sends them together. Measured with `npm run bench`: the orders node's write
 * syscalls fell from about 4 to about 1.2 per order, and throughput rose about 15%. amqplib
 * (up to 2.3.1) has no such option.
 */
export class AmqpTransporter extends Transporters.AMQP {
  override async connect(...args: unknown[]): Promise<void> {
    await (super.connect as (...a: unknown[]) => Promise<void>).apply(this, args);
    corkEachPass(this.connection.connection.muxer);
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
