import { readFileSync } from "node:fs";
import { join } from "node:path";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-grpc";
import { HttpInstrumentation } from "@opentelemetry/instrumentation-http";
import { PgInstrumentation } from "@opentelemetry/instrumentation-pg";
import { defaultResource, envDetector, hostDetector, processDetector, resourceFromAttributes } from "@opentelemetry/resources";
import { NodeSDK } from "@opentelemetry/sdk-node";
import { ATTR_SERVICE_INSTANCE_ID, ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from "@opentelemetry/semantic-conventions";
import { nodeIdentity } from "../mixins/config";

/** What each role is called in traces: the api node is the system's gateway. */
const SERVICE_NAMES: Record<string, string> = { api: "gateway", orders: "orders", invoices: "invoices" };

/** Probes hit these every few seconds; a trace each would bury the real ones. */
const PROBE_PATHS = new Set(["/health", "/ready"]);

/** Runs from dist/scripts; package.json sits at the root, next to dist/. */
function packageVersion(): string {
  return JSON.parse(readFileSync(join(__dirname, "..", "..", "package.json"), "utf8")).version;
}

/**
 * Traces only: spans go in batches (OTEL_BSP_* apply) over OTLP/gRPC to OTEL_EXPORTER_OTLP_ENDPOINT
 * (the exporter reads it; default http://localhost:4317). Metrics and logs stay off.
 */
export function startTracing(): void {
  // The node's configuration, read here first and kept for the broker's options in the same process.
  const { role, nodeID } = nodeIdentity();
  const sdk = new NodeSDK({
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
    traceExporter: new OTLPTraceExporter(),
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      new HttpInstrumentation({ ignoreIncomingRequestHook: (req) => PROBE_PATHS.has(req.url ?? "") }),
      // Only queries made inside a traced request or message: the relay's polling would be noise.
      new PgInstrumentation({ requireParentSpan: true }),
    ],
  });
  sdk.start();
}
