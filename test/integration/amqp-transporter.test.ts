import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ServiceBroker } from "moleculer";
import { AmqpTransporter } from "../../mixins/moleculer/transporters/amqp";
import config from "../../moleculer.config";
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

/**
 * A worker node in a process of its own, over the built transporter: it prints "ran" each time its
 * action starts, and never answers.
 */
function startWorker(url: string): { child: ChildProcess; runs: () => number } {
  const transporter = join(__dirname, "..", "..", "dist", "mixins", "moleculer", "transporters", "amqp.js");
  const program = `
    const { ServiceBroker } = require("moleculer");
    const { AmqpTransporter } = require(${JSON.stringify(transporter)});
    const broker = new ServiceBroker({ namespace: ${JSON.stringify(vhost)}, nodeID: "worker-node", logger: false,
      transporter: new AmqpTransporter({ url: ${JSON.stringify(url)}, prefetch: 100 }) });
    broker.createService({ name: "worker", actions: { work: () => (console.log("ran"), new Promise(() => undefined)) } });
    broker.start();`;
  const child = spawn(process.execPath, ["-e", program], { cwd: join(__dirname, "..", ".."), stdio: ["ignore", "pipe", "inherit"] });
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  return { child, runs: () => output.split("ran").length - 1 };
}

it("runs a request at most once: a node killed with it in hand does not run it again when it comes back under its node ID", async () => {
  const url = `amqp://guest:guest@127.0.0.1:5672/${encodeURIComponent(vhost)}`;
  // A caller with the cluster's retry policy: a call answered SERVICE_NOT_FOUND (as a node does before
  // its services are up) is sent again.
  const caller = new ServiceBroker({
    namespace: vhost,
    nodeID: "caller",
    transporter: new AmqpTransporter({ url, prefetch: 100 }),
    retryPolicy: config.retryPolicy,
    logger: false,
  });
  await caller.start();
  const first = startWorker(url);
  try {
    await caller.waitForServices(["worker"], 20_000);
    void caller.call("worker.work", {}, { nodeID: "worker-node", timeout: 20_000 }).catch(() => undefined);
    while (first.runs() === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    first.child.kill("SIGKILL");
    await once(first.child, "exit");

    // Its next incarnation (same node ID, same queue) comes up, and stays a while.
    const second = startWorker(url);
    try {
      await caller.waitForServices(["worker"], 20_000);
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      expect(second.runs()).toBe(0);
    } finally {
      second.child.kill("SIGKILL");
    }
  } finally {
    await caller.stop();
  }
});
