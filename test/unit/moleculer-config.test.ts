import { hostname } from "node:os";
import type { BrokerOptions } from "moleculer";
import { AmqpTransporter } from "../../mixins/moleculer/transporters/amqp";

/** Loads moleculer.config.ts afresh under the given environment. */
function loadConfig(env: Record<string, string | undefined>): { config: BrokerOptions; envAfter: NodeJS.ProcessEnv } {
  const saved = process.env;
  process.env = { ...env };
  try {
    let config!: BrokerOptions;
    jest.isolateModules(() => {
      config = require("../../moleculer.config").default;
    });
    return { config, envAfter: process.env };
  } finally {
    process.env = saved;
  }
}

describe("moleculer.config", () => {
  it("falls back to the TCP transporter with nothing configured, accepting packets up to the transport limit", () => {
    expect(loadConfig({}).config.transporter).toEqual({ type: "TCP", options: { maxPacketSize: 16 * 1024 * 1024 } });
    expect(loadConfig({ TRANSPORT_MAX_PACKET_BYTES: "33554432" }).config.transporter).toEqual({
      type: "TCP",
      options: { maxPacketSize: 33_554_432 },
    });
  });

  it("uses the corking AMQP transporter with Nagle off and a prefetch of 100 for an amqp:// TRANSPORTER", () => {
    const { config, envAfter } = loadConfig({ TRANSPORTER: "amqp://guest:guest@127.0.0.1:5672" });
    // Loaded in isolation, so compared by name: the class of this module registry is another object.
    expect(config.transporter?.constructor.name).toBe(AmqpTransporter.name);
    expect((config.transporter as AmqpTransporter).opts).toMatchObject({
      url: ["amqp://guest:guest@127.0.0.1:5672"],
      socketOptions: { noDelay: true },
      prefetch: 100,
    });
    // moleculer-runner would otherwise replace the options above with the bare URL.
    expect(envAfter.TRANSPORTER).toBeUndefined();
  });

  it("refuses a transporter URL it does not configure", () => {
    expect(() => loadConfig({ TRANSPORTER: "nats://127.0.0.1:4222" })).toThrow(/amqp/);
  });

  it("names nodes <role>-<hostname>, without a PID", () => {
    expect(loadConfig({ NODE_ROLE: "orders" }).config.nodeID).toBe(`orders-${hostname()}`);
    expect(loadConfig({ SERVICES: "invoices" }).config.nodeID).toBe(`invoices-${hostname()}`);
    expect(loadConfig({ NODE_ID: "invoices-2" }).config.nodeID).toBe("invoices-2");
  });

  it("retries only calls that never reached a handler", () => {
    const check = loadConfig({}).config.retryPolicy!.check!;
    expect(check({ type: "SERVICE_NOT_AVAILABLE" } as never)).toBe(true);
    expect(check({ type: "SERVICE_NOT_FOUND" } as never)).toBe(true);
    expect(check({ type: "REQUEST_TIMEOUT" } as never)).toBe(false);
  });

  it("opens the circuit on server-side failures only, not on the refusals of admission control", () => {
    const { circuitBreaker } = loadConfig({}).config;
    expect(circuitBreaker).toMatchObject({ enabled: true });
    expect(circuitBreaker!.check!({ code: 503, type: "DATABASE_UNAVAILABLE" } as never)).toBe(true);
    expect(circuitBreaker!.check!({ code: 504, type: "REQUEST_TIMEOUT" } as never)).toBe(true);
    expect(circuitBreaker!.check!({ code: 422 } as never)).toBe(false);
    for (const type of ["QUEUE_FULL", "DEADLINE_EXCEEDED", "DATABASE_BUSY"]) {
      expect(circuitBreaker!.check!({ code: type === "QUEUE_FULL" ? 429 : 503, type } as never)).toBe(false);
    }
  });

  it("logs JSON through Pino in production", () => {
    expect(loadConfig({ NODE_ENV: "production" }).config.logger).toMatchObject({ type: "Pino" });
    expect(loadConfig({}).config.logger).toMatchObject({ type: "Console" });
  });
});
