import type { ServiceBroker } from "moleculer";
import type { OutboxReport } from "./outbox";

const OUTBOX_GAUGES = {
  "outbox.pending": "Outbox messages some consumer has not acknowledged yet",
  "outbox.oldest_pending_seconds": "Age of the oldest pending outbox message",
  "outbox.stuck": "Outbox messages pending for longer than OUTBOX_STUCK_AFTER_SECONDS",
  "outbox.parked": "Outbox messages parked after repeated rejections, or too large to send",
};

/**
 * Keeps the outbox gauges of `service` (pending, oldest pending, stuck, parked) current from its
 * `report` while metrics are on; the timer to clear when the service stops, none when they are off.
 */
export function startOutboxGauges(broker: ServiceBroker, service: string, report: () => Promise<OutboxReport>): NodeJS.Timeout | undefined {
  if (!broker.isMetricsEnabled()) return undefined;
  const { metrics } = broker;
  for (const [name, description] of Object.entries(OUTBOX_GAUGES)) {
    if (!metrics.getMetric(name)) metrics.register({ type: "gauge", name, description, labelNames: ["service"] });
  }
  const update = async () => {
    const { pending, oldestPendingSeconds, stuck, parked } = await report();
    const labels = { service };
    metrics.set("outbox.pending", pending, labels);
    metrics.set("outbox.oldest_pending_seconds", oldestPendingSeconds, labels);
    metrics.set("outbox.stuck", stuck, labels);
    metrics.set("outbox.parked", parked, labels);
  };
  void update().catch(() => undefined);
  return setInterval(() => update().catch((err) => broker.logger.warn(`Outbox gauges of ${service}: ${err.message}`)), 5_000);
}
