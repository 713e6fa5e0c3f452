import type { BrokerOptions, Errors } from "moleculer";
import { destination } from "pino";
import { config as nodeConfig, nodeIdentity } from "./mixins/config";
import {
  AmqpTransporter,
  callBatches,
  callsPerBatch,
  DeadlinesMiddleware,
  EventBatchesMiddleware,
  keepLogArguments,
  logContext,
  OVERLOAD_REFUSALS,
  packetLimit,
  processMetrics,
  serializersWithoutRowData,
  TracingMiddleware,
  transportLimits,
} from "./mixins/moleculer";
import { replCommands } from "./scripts/repl-commands";

/**
 * Broker options shared by every node (gateway, orders, invoices, repl).
 * Every knob comes from the environment; the defaults run a laptop cluster with nothing installed.
 *
 * Note on moleculer-runner: after loading this file it overwrites any top-level option whose
 * upper-cased name is set in the environment (TRANSPORTER, NAMESPACE, LOGLEVEL…). That would
 * replace the AMQP options object below with the bare URL and lose `noDelay`/`prefetch`, so the
 * URL is read here and taken out of the environment before the runner looks.
 */
// Read once (the node's preload, scripts/telemetry.ts, has checked it already).
const env = nodeConfig();
delete process.env.TRANSPORTER;

const { role, nodeID } = nodeIdentity(env);
const limits = transportLimits(env);

function transporter(url: string | undefined): BrokerOptions["transporter"] {
  if (!url || url === "TCP") {
    // Zero-config: UDP discovery + TCP connections between the local nodes, accepting the packets
    // every node may send (TCP's own default is 1 MiB).
    return { type: "TCP", options: { maxPacketSize: limits.maxPacketBytes } };
  }
  const options = {
    url,
    // amqplib's defaults (Nagle on, prefetch 1) hold each request for a round trip (README: Environment).
    socketOptions: { noDelay: true },
    prefetch: env.AMQP_PREFETCH,
  };
  return new AmqpTransporter(options);
}

/**
 * Where the JSON lines go: stdout, written asynchronously. A line joins a buffer that the next write
 * takes whole, instead of a write system call per line on the event loop. The buffer is bounded (a
 * stalled stdout drops lines rather than filling the memory); pino flushes it when the process exits.
 */
const jsonLinesOut = () => destination({ dest: 1, sync: false, maxLength: 8 * 1024 * 1024 });

/** Retry only what surely never reached a handler: an order must not be created twice by a retry. */
const RETRYABLE = new Set(["SERVICE_NOT_FOUND", "SERVICE_NOT_AVAILABLE"]);

const config: BrokerOptions = {
  namespace: env.NAMESPACE,
  nodeID,
  transporter: transporter(env.TRANSPORTER),

  // JSON lines for machines in production (LOG_FORMAT=json), readable lines for people otherwise.
  // A line written inside a traced handler carries trace_id, span_id and the request ID (X-Request-ID);
  // the JSON logger's lines also go over OTLP with the traces (scripts/telemetry-sdk.ts).
  logger:
    env.LOG_FORMAT === "json" || env.NODE_ENV === "production"
      ? {
          type: "Pino",
          options: {
            pino: {
              options: {
                base: { role },
                mixin: logContext,
                hooks: { logMethod: keepLogArguments },
                serializers: serializersWithoutRowData,
              },
              destination: jsonLinesOut(),
            },
          },
        }
      : { type: "Console", options: { formatter: "short", colors: !!process.stdout.isTTY } },
  logLevel: env.LOG_LEVEL,

  // A hung dependency becomes an error the gateway turns into a 503, never a hanging client.
  requestTimeout: env.REQUEST_TIMEOUT_MS,
  retryPolicy: {
    enabled: true,
    retries: 3,
    delay: 100,
    maxDelay: 1_000,
    factor: 2,
    check: (err: Error) => RETRYABLE.has((err as Errors.MoleculerError).type),
  },

  // An endpoint failing half of 20+ calls in a minute (5xx: its database gone, timeouts) is skipped for
  // 10 s instead of being hammered; callers get SERVICE_NOT_AVAILABLE, which the gateway answers as 503.
  // A refusal of our own admission control means busy, not broken: it must not shut out the healthy
  // traffic that follows a burst.
  circuitBreaker: {
    enabled: true,
    threshold: 0.5,
    minRequestCount: 20,
    windowTime: 60,
    halfOpenTime: 10_000,
    check: (err: Error) => (err as Errors.MoleculerError).code >= 500 && !OVERLOAD_REFUSALS.has((err as Errors.MoleculerError).type),
  },

  // Prometheus on METRICS_PORT (/metrics): Moleculer's request rate, latency and errors per action, plus
  // the outbox gauges of the messaging mixin. Off when METRICS_PORT is unset.
  metrics: env.METRICS_PORT
    ? {
        enabled: true,
        // Moleculer leaves process memory and OS figures out when NODE_ENV is "test"; the Nodes dashboard reads them.
        collectProcessMetrics: true,
        reporter: [{ type: "Prometheus", options: { port: env.METRICS_PORT, path: "/metrics" } }],
      }
    : { enabled: false },

  // Stop takes the in-flight requests to the end before the node leaves.
  tracking: { enabled: true, shutdownTimeout: 10_000 },

  // `npm run repl`: `order <id>` and `consistency` beside Moleculer's own commands.
  replOptions: { customCommands: replCommands },

  heartbeatInterval: 5,
  heartbeatTimeout: 15,
  validator: true,

  // OpenTelemetry: a span per action and event handler, W3C trace context in ctx.headers between
  // nodes. Moleculer's own tracer stays off. Spans exist only where scripts/telemetry.js is preloaded.
  // Integration events arrive in batches; EventBatches, listed after the tracing so it wraps it, hands
  // their handlers one message at a time, each in its own trace. The gateway's POST /orders calls made
  // in one turn of the event loop go to the orders node as one request. Every call carries when its
  // caller gives up (listed after the call batches, so it wraps them: each batched call gets its own).
  // No packet larger than the transporter carries is ever sent (transport-limits.ts).
  middlewares: [
    TracingMiddleware,
    EventBatchesMiddleware,
    callBatches(["orders.create"], callsPerBatch(limits)),
    DeadlinesMiddleware,
    packetLimit(limits.maxPacketBytes),
    processMetrics(),
  ],
};

export default config;
