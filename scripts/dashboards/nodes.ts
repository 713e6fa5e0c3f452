import type { DashboardBuilder } from "@grafana/grafana-foundation-sdk/dashboard";
import { dashboard, timeseries } from "./panels";

/** "Nodes": each Moleculer node's CPU, event loop and memory, and RabbitMQ's queues. */
export function nodesDashboard(): DashboardBuilder {
  return dashboard("Nodes", "orders-invoices-nodes")
    .withPanel(
      timeseries("CPU per node", "CPU time each node uses per second: 1 is one core", "short", [
        { expr: "rate(process_cpu_seconds_total[$__rate_interval])", legend: "{{role}} {{nodeID}}" },
      ]),
    )
    .withPanel(
      timeseries("Event loop delay", "p99 of each node's event-loop delay over the last 5 s", "s", [
        { expr: "nodejs_eventloop_lag_p99_seconds", legend: "{{role}} {{nodeID}}" },
      ]),
    )
    .withPanel(
      timeseries("Heap used", "V8 heap in use, per node", "bytes", [
        { expr: "process_memory_heap_size_used", legend: "{{role}} {{nodeID}}" },
      ]),
    )
    .withPanel(timeseries("Resident memory", "Each node's RSS", "bytes", [{ expr: "process_memory_rss", legend: "{{role}} {{nodeID}}" }]))
    .withPanel(
      timeseries(
        "RabbitMQ queue depth",
        "Messages ready and unacknowledged, per queue",
        "short",
        [
          { expr: "sum by (queue) (rabbitmq_queue_messages_ready)", legend: "{{queue}} ready" },
          { expr: "sum by (queue) (rabbitmq_queue_messages_unacked)", legend: "{{queue}} unacked" },
        ],
        24,
      ),
    );
}
