import type { DashboardBuilder } from "@grafana/grafana-foundation-sdk/dashboard";
import { dashboard, quantile, slowTracesLink, timeseries } from "./panels";

/** "Orders & invoices": the pipeline from an accepted order to its invoice, and what clients see. */
export function pipelineDashboard(): DashboardBuilder {
  return dashboard("Orders & invoices", "orders-invoices-pipeline")
    .withPanel(
      timeseries("Orders accepted and invoices issued", "Events committed with the state they announce, per second", "reqps", [
        { expr: 'sum(rate(events_committed_total{type="order.created"}[$__rate_interval]))', legend: "orders accepted" },
        { expr: 'sum by (type) (rate(events_committed_total{service="invoices"}[$__rate_interval]))', legend: "{{type}}" },
      ]),
    )
    .withPanel(
      timeseries("Invoice lag", "From an order's creation to its invoice's issue (alert InvoiceLagHigh: p99 over 10 s)", "s", [
        { expr: quantile(0.5, "invoice_lag_seconds_bucket"), legend: "p50" },
        { expr: quantile(0.99, "invoice_lag_seconds_bucket"), legend: "p99" },
      ]),
    )
    .withPanel(
      timeseries(
        "Oldest pending event",
        "Age of the oldest outbox message a consumer has not acknowledged (alert OutboxMessageTooOld)",
        "s",
        [{ expr: "max by (service) (outbox_oldest_pending_seconds)", legend: "{{service}}" }],
      ),
    )
    .withPanel(
      timeseries("Outbox", "Messages pending and parked, per service (alert MessageParked)", "short", [
        { expr: "sum by (service) (outbox_pending)", legend: "{{service}} pending" },
        { expr: "sum by (service) (outbox_parked)", legend: "{{service}} parked" },
      ]),
    )
    .withPanel(
      timeseries(
        "5xx ratio at the gateway",
        "Share of requests answered 5xx, not-ready probes aside (alert ServerErrorRatioHigh)",
        "percentunit",
        [
          {
            expr:
              '(sum(rate(moleculer_request_error_total{action="api.rest", errorCode=~"5..", errorType!="NOT_READY"}[$__rate_interval])) or vector(0))' +
              ' / sum(rate(moleculer_request_total{action="api.rest"}[$__rate_interval]))',
            legend: "5xx",
          },
        ],
      ),
    )
    .withPanel(
      timeseries("Gateway errors by type", "Refusals (OVERLOADED, QUEUE_FULL), client mistakes and faults, per second", "reqps", [
        { expr: 'sum by (errorType) (rate(moleculer_request_error_total{action="api.rest"}[$__rate_interval]))', legend: "{{errorType}}" },
      ]),
    )
    .withPanel(
      timeseries("p99 per route", "Latency of each action the gateway calls, as the gateway measures it", "ms", [
        {
          expr: quantile(0.99, 'moleculer_request_time_bucket{caller="api", type="remote"}', ["action"]),
          legend: "{{action}}",
        },
      ]).dataLinks([slowTracesLink("gateway")]),
    )
    .withPanel(
      timeseries("Consumer batch size", "Messages a consumer applied in one transaction", "short", [
        { expr: quantile(0.5, "consumer_batch_size_bucket", ["service", "event"]), legend: "{{service}} {{event}} p50" },
        { expr: quantile(0.99, "consumer_batch_size_bucket", ["service", "event"]), legend: "{{service}} {{event}} p99" },
      ]),
    );
}
