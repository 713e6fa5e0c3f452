import { readFileSync } from "node:fs";
import { ServiceBroker } from "moleculer";
import { AmqpTransporter } from "../../mixins/amqp.transporter";
import { runId } from "../support/environment";
import { createVhost, deleteVhost } from "../support/rabbitmq";

// The corking transporter over the real RabbitMQ: a burst of publishes and acks leaves in a few
// writes, and every message still arrives, in order, also when the burst overflows the socket's buffer.
const vhost = runId();
const received: number[] = [];
let producer: ServiceBroker;
let consumer: ServiceBroker;

const node = (url: string, nodeID: string) => {
  // moleculer's typings for the AMQP options leave out amqplib's socketOptions.
  const options = { url, socketOptions: { noDelay: true }, prefetch: 100 };
  return new ServiceBroker({
    namespace: vhost,
    nodeID,
    transporter: new AmqpTransporter(options),
    logger: false,
  });
};

/** Write syscalls this process has made: the producer's and the consumer's AMQP frames alike. */
const writeSyscalls = () => Number(/syscw: (\d+)/.exec(readFileSync("/proc/self/io", "utf8"))![1]);

beforeAll(async () => {
  const url = await createVhost(vhost);
  producer = node(url, "producer");
  consumer = node(url, "consumer");
  consumer.createService({
    name: "sink",
    events: {
      "burst.item"(ctx: { params: { n: number } }) {
        received.push(ctx.params.n);
      },
    },
  });
  await Promise.all([producer.start(), consumer.start()]);
  await producer.waitForServices(["sink"], 10_000);
});

afterAll(async () => {
  await Promise.all([producer?.stop(), consumer?.stop()]);
  await deleteVhost(vhost);
});

it("sends a tick's publishes and acks in far fewer writes than frames, and loses or reorders none", async () => {
  const count = 2_000;
  // 2 KB each: the burst is far more than the socket's 16 KiB buffer, so amqplib must wait for drain.
  const padding = "x".repeat(2_048);
  const before = writeSyscalls();
  for (let n = 0; n < count; n++) producer.emit("burst.item", { n, padding });
  while (received.length < count) await new Promise((resolve) => setTimeout(resolve, 20));
  const writes = writeSyscalls() - before;

  expect(received).toEqual([...Array(count).keys()]);
  // Uncorked, each publish and each ack is a write of its own: at least 2 × count.
  expect(writes).toBeLessThan(count / 2);
});
