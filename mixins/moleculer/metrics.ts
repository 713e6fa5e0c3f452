import type { ServiceBroker } from "moleculer";

/**
 * Every metric this project adds to Moleculer's own (request rate, errors and latency per action,
 * process memory), in Prometheus as named here with `_` for `.`. Each is registered on first use, and
 * nothing is recorded while metrics are off (METRICS_PORT unset).
 */
const METRICS = {
  "events.committed.total": {
    type: "counter",
    description: "Integration events committed with the state they announce, by service and type (order.created: orders accepted)",
    labelNames: ["service", "type"],
  },
  "invoice.lag_seconds": {
    type: "histogram",
    description: "From an order's creation to its invoice's issue, seconds",
    labelNames: [],
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
  },
  "consumer.batch_size": {
    type: "histogram",
    description: "Messages a consumer applied in one transaction, by service and event",
    labelNames: ["service", "event"],
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500],
  },
  "outbox.pending": {
    type: "gauge",
    description: "Outbox messages some consumer has not acknowledged yet",
    labelNames: ["service"],
  },
  "outbox.oldest_pending_seconds": {
    type: "gauge",
    description: "Age of the oldest pending outbox message",
    labelNames: ["service"],
  },
  "outbox.stuck": {
    type: "gauge",
    description: "Outbox messages pending for longer than OUTBOX_STUCK_AFTER_SECONDS",
    labelNames: ["service"],
  },
  "outbox.parked": {
    type: "gauge",
    description: "Outbox messages parked after repeated rejections, or too large to send",
    labelNames: ["service"],
  },
  // prom-client's names, which Node.js dashboards use
  "process.cpu.seconds.total": {
    type: "gauge",
    description: "CPU time the node has used, user and system, seconds",
    labelNames: [],
  },
  "nodejs.eventloop.lag.p50.seconds": {
    type: "gauge",
    description: "The event loop's delay, median over the last few seconds, seconds",
    labelNames: [],
  },
  "nodejs.eventloop.lag.p99.seconds": {
    type: "gauge",
    description: "The event loop's delay, 99th percentile over the last few seconds, seconds",
    labelNames: [],
  },
} as const;

type MetricName = keyof typeof METRICS;
type Named<T extends string> = { [K in MetricName]: (typeof METRICS)[K]["type"] extends T ? K : never }[MetricName];

function registered(broker: ServiceBroker, name: MetricName): boolean {
  if (!broker.isMetricsEnabled()) return false;
  if (!broker.metrics.getMetric(name))
    broker.metrics.register({ name, ...METRICS[name], labelNames: [...METRICS[name].labelNames] } as never);
  return true;
}

/** Adds `value` to counter `name`. */
export function count(broker: ServiceBroker, name: Named<"counter">, labels: Record<string, string>, value = 1): void {
  if (registered(broker, name)) broker.metrics.increment(name, labels, value);
}

/** Records one observation of histogram `name`. */
export function observe(broker: ServiceBroker, name: Named<"histogram">, value: number, labels: Record<string, string> = {}): void {
  if (registered(broker, name)) broker.metrics.observe(name, value, labels);
}

/** Sets gauge `name` to `value`. */
export function set(broker: ServiceBroker, name: Named<"gauge">, value: number, labels: Record<string, string> = {}): void {
  if (registered(broker, name)) broker.metrics.set(name, value, labels);
}
