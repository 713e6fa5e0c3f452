import { hostname } from "node:os";
import { nodeIdentity, readConfig } from "../../mixins/config";

describe("readConfig", () => {
  it("gives every default with nothing set, and works out the ones that follow others", () => {
    const config = readConfig({});
    expect(config).toMatchObject({
      PORT: 3000,
      HOST: "0.0.0.0",
      LOG_LEVEL: "info",
      REQUEST_TIMEOUT_MS: 10_000,
      GATEWAY_MAX_WAIT_MS: 2_000,
      COMMAND_BATCH_SIZE: 50,
      ADMISSION_CONCURRENCY: 100,
      OUTBOX_RELAY_ENABLED: "true",
      BODY_LIMIT_BYTES: 64 * 1024,
      TRANSPORT_MAX_PACKET_BYTES: 16 * 1024 * 1024,
      OTEL_EXPORTER_OTLP_PROTOCOL: "grpc",
    });
    expect(config.METRICS_PORT).toBeUndefined();
    expect(Object.isFrozen(config)).toBe(true);
  });

  it("takes what is set, converted; an empty variable is unset", () => {
    const config = readConfig({
      REQUEST_TIMEOUT_MS: "5000",
      COMMAND_BATCH_SIZE: "10",
      METRICS_PORT: "3030",
      PORT: "",
      LOG_LEVEL: "debug",
      BODY_LIMIT: "128kb",
    });
    expect(config).toMatchObject({
      REQUEST_TIMEOUT_MS: 5_000,
      GATEWAY_MAX_WAIT_MS: 1_000,
      ADMISSION_CONCURRENCY: 20,
      METRICS_PORT: 3030,
      PORT: 3000,
      LOG_LEVEL: "debug",
      BODY_LIMIT_BYTES: 128 * 1024,
    });
  });

  it.each([
    [{ OUTBOX_BATCH_SIZE: "10O" }, "OUTBOX_BATCH_SIZE must be a whole number of at least 1, got '10O'"],
    [{ INBOX_RETENTION_DAYS: "0" }, "INBOX_RETENTION_DAYS must be a whole number of at least 1, got '0'"],
    [{ REQUEST_TIMEOUT_MS: "1e4" }, "REQUEST_TIMEOUT_MS must be a whole number of at least 1, got '1e4'"],
    [{ PORT: " 3000" }, "PORT must be a whole number from 0 to 65535, got ' 3000'"],
    [{ TRANSPORT_MAX_PACKET_BYTES: "16MB" }, "TRANSPORT_MAX_PACKET_BYTES must be a whole number of at least 1048576, got '16MB'"],
    [{ LOG_LEVEL: "verbose" }, "LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, got 'verbose'"],
    [{ OUTBOX_RELAY_ENABLED: "no" }, "OUTBOX_RELAY_ENABLED must be one of true, false, got 'no'"],
    [{ BODY_LIMIT: "lots" }, "BODY_LIMIT must be a size such as 64kb, got 'lots'"],
    [{ TRANSPORTER: "nats://x" }, "TRANSPORTER must match"],
    [{ OTEL_EXPORTER_OTLP_PROTOCOL: "http" }, "OTEL_EXPORTER_OTLP_PROTOCOL must be one of grpc, http/protobuf, http/json, got 'http'"],
    [{ OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: "grpc " }, "OTEL_EXPORTER_OTLP_LOGS_PROTOCOL must be one of"],
  ])("refuses %o, naming the variable", (env, message) => {
    expect(() => readConfig(env)).toThrow(message);
  });

  it("names every invalid variable at once", () => {
    expect(() => readConfig({ PORT: "http", DB_POOL_MAX: "0" })).toThrow(
      "Invalid configuration: DB_POOL_MAX must be a whole number of at least 1, got '0'; PORT must be a whole number from 0 to 65535, got 'http'",
    );
  });
});

describe("nodeIdentity", () => {
  it("is <role>-<hostname> unless NODE_ID names the node, the role NODE_ROLE, else SERVICES", () => {
    expect(nodeIdentity(readConfig({ SERVICES: "orders" }))).toEqual({ role: "orders", nodeID: `orders-${hostname()}` });
    expect(nodeIdentity(readConfig({ NODE_ROLE: "api", SERVICES: "orders", NODE_ID: "api-7" }))).toEqual({ role: "api", nodeID: "api-7" });
    expect(nodeIdentity(readConfig({}))).toEqual({ role: "node", nodeID: `node-${hostname()}` });
  });
});
