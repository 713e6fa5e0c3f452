import type { ServiceBroker } from "moleculer";

/**
 * The metrics this project adds to Moleculer's own (request rate, errors and latency per action,
 * process and event-loop figures), in Prometheus as named here with `_` for `.`. Each is registered
 * on first use, and nothing is recorded while metrics are off (METRICS_PORT unset).
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
} as const;

type MetricName = keyof typeof METRICS;

function registered(broker: ServiceBroker, name: MetricName): boolean {
  if (!broker.isMetricsEnabled()) return false;
  if (!broker.metrics.getMetric(name))
    broker.metrics.register({ name, ...METRICS[name], labelNames: [...METRICS[name].labelNames] } as never);
  return true;
}

/** Adds `value` to counter `name`. */
export function count(broker: ServiceBroker, name: MetricName, labels: Record<string, string>, value = 1): void {
  if (registered(broker, name)) broker.metrics.increment(name, labels, value);
}

/** Records one observation of histogram `name`. */
export function observe(broker: ServiceBroker, name: MetricName, value: number, labels: Record<string, string> = {}): void {
  if (registered(broker, name)) broker.metrics.observe(name, value, labels);
}
