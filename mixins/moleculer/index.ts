/** What the broker's configuration and the services take of Moleculer's extension points. */
export { admission, OVERLOAD_REFUSALS } from "./admission";
export { callBatches } from "./call-batches.middleware";
export { DeadlinesMiddleware } from "./deadlines.middleware";
export { EventBatchesMiddleware } from "./event-batches.middleware";
export { traceRequests } from "./http-server-span";
export { keepLogArguments } from "./log-arguments";
export { serializersWithoutRowData } from "./log-redaction";
export { count, observe } from "./metrics";
export { packetLimit } from "./packet-limit.middleware";
export { PROBE_OPTIONS } from "./probe";
export { processMetrics } from "./process-metrics.middleware";

export { logContext } from "./trace-context";
export { TracingMiddleware } from "./tracing.middleware";
export { callsPerBatch, transportLimits } from "./transport-limits";
export { AmqpTransporter } from "./transporters/amqp";
