import type { ServiceBroker } from "moleculer";
import { set } from "../../moleculer/metrics";
import type { OutboxReport } from "./outbox";

/**
 * Keeps the outbox gauges of `service` (pending, oldest pending, stuck, parked) current from its
 * `report` while metrics are on; the timer to clear when the service stops, none when they are off.
 */
export function startOutboxGauges(broker: ServiceBroker, service: string, report: () => Promise<OutboxReport>): NodeJS.Timeout | undefined {
  if (!broker.isMetricsEnabled()) return undefined;
  const update = async () => {
    const { pending, oldestPendingSeconds, stuck, parked } = await report();
    const labels = { service };
    set(broker, "outbox.pending", pending, labels);
    set(broker, "outbox.oldest_pending_seconds", oldestPendingSeconds, labels);
    set(broker, "outbox.stuck", stuck, labels);
    set(broker, "outbox.parked", parked, labels);
  };
  void update().catch(() => undefined);
  return setInterval(() => update().catch((err) => broker.logger.warn(`Outbox gauges of ${service}: ${err.message}`)), 5_000);
}
