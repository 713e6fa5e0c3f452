import type { OutboxReport } from "../../mixins/messaging";

/** A backend's consistency report, as `<service>.consistencyReport` answers it. */
export interface ConsistencyReport {
  outbox: OutboxReport;
  ordersWithoutInvoice?: number;
  olderThanSeconds?: number;
}

/**
 * What an operator should look at, in plain words, from the backends' consistency reports. It does
 * not make the gateway unready: readiness decides whether a node gets traffic, and a message stuck or
 * parked is no reason to stop taking orders (taking nodes out would turn a delivery problem into an
 * outage). The same counts are metrics, for alerts.
 */
export function attention(reports: Record<string, ConsistencyReport>): string[] {
  return Object.entries(reports).flatMap(([service, { outbox, ordersWithoutInvoice, olderThanSeconds }]) => [
    ...(outbox.stuck > 0 ? [`${service}: ${outbox.stuck} outbox message(s) stuck, pending past OUTBOX_STUCK_AFTER_SECONDS`] : []),
    ...(outbox.parked > 0 ? [`${service}: ${outbox.parked} message(s) parked; see ${service}.parkedMessages`] : []),
    ...(ordersWithoutInvoice ? [`${service}: ${ordersWithoutInvoice} order(s) without an invoice after ${olderThanSeconds} s`] : []),
  ]);
}
