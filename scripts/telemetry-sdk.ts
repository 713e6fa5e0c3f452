import { readFileSync } from "node:fs";
import { join } from "node:path";
import { getStringListFromEnv } from "@opentelemetry/core";
import { PgInstrumentation } from "@opentelemetry/instrumentation-pg";
import { PinoInstrumentation } from "@opentelemetry/instrumentation-pino";
import { defaultResource, envDetector, hostDetector, processDetector, resourceFromAttributes } from "@opentelemetry/resources";
import { NodeSDK } from "@opentelemetry/sdk-node";
import { ParentBasedSampler, type Sampler, TraceIdRatioBasedSampler } from "@opentelemetry/sdk-trace";
import { ATTR_SERVICE_INSTANCE_ID, ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from "@opentelemetry/semantic-conventions";
import { type Config, config, nodeIdentity } from "../mixins/config";

/** What each role is called in traces and logs: the api node is the system's gateway. */
export const SERVICE_NAMES: Record<string, string> = { api: "gateway", orders: "orders", invoices: "invoices" };

/** Runs from dist/scripts; package.json sits at the root, next to dist/. */
function packageVersion(): string {
  return JSON.parse(readFileSync(join(__dirname, "..", "..", "package.json"), "utf8")).version;
}

/**
 * In production (NODE_ENV=production: the Docker image), unless OTEL_TRACES_SAMPLER says otherwise, a
 * trace that starts here is kept one time in ten, and one that comes in follows its caller's decision
 * (Kong's sampling rate); in development the SDK's default keeps every trace. Logs carry the trace id
 * either way.
 */
function productionSampler(env: Config): Sampler | undefined {
  if (env.NODE_ENV !== "production" || process.env.OTEL_TRACES_SAMPLER) return undefined;
  return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(PRODUCTION_SAMPLE_RATIO) });
}

/** The share of the traces starting at a production node that are kept. */
const PRODUCTION_SAMPLE_RATIO = 0.1;

/**
 * Traces and logs, in batches, over OTLP to OTEL_EXPORTER_OTLP_ENDPOINT (default http://localhost:4317).
 * The SDK builds the exporters from the standard variables (OTEL_TRACES_EXPORTER, OTEL_LOGS_EXPORTER,
 * OTEL_EXPORTER_OTLP_HEADERS, OTEL_BSP_*, OTEL_BLRP_*…); the protocol is checked by the node's
 * configuration first and defaults to gRPC. Metrics stay with Prometheus.
 *
 * Logs: every line of the Pino logger (LOG_FORMAT=json, or production) also becomes an OTLP log record
 * carrying the trace and span it was written in, and every JSON line gets `trace_id`, `span_id` and
 * `trace_flags` (OpenTelemetry's Pino instrumentation). The console logger's lines are not exported.
 */
export function startTelemetry(): void {
  // The node's configuration, read here first and kept for the broker's options in the same process.
  const env = config();
  const { role, nodeID } = nodeIdentity(env);
  process.env.OTEL_EXPORTER_OTLP_PROTOCOL = env.OTEL_EXPORTER_OTLP_PROTOCOL;
  const sdk = new NodeSDK({
    sampler: productionSampler(env),
    // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES (envDetector) still override these.
    resource: defaultResource().merge(
      resourceFromAttributes({
        [ATTR_SERVICE_NAME]: SERVICE_NAMES[role] ?? role,
        [ATTR_SERVICE_VERSION]: packageVersion(),
        // the node ID, so a span leads to the node's logs; the SDK's default would be a random UUID
        [ATTR_SERVICE_INSTANCE_ID]: nodeID,
      }),
    ),
    resourceDetectors: [envDetector, hostDetector, processDetector],
    metricReaders: [],
    instrumentations: [
      // Only queries made inside a traced request or message: the relay's polling would be noise.
      new PgInstrumentation({ requireParentSpan: true }),
      // With OTEL_LOGS_EXPORTER=none no line is parsed a second time for a logger that is not there.
      new PinoInstrumentation({ disableLogSending: getStringListFromEnv("OTEL_LOGS_EXPORTER")?.includes("none") }),
    ],
  });
  sdk.start();
}
