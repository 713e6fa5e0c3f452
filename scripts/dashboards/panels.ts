import { type DataSourceRef, LegendDisplayMode, LegendPlacement, VizLegendOptionsBuilder } from "@grafana/grafana-foundation-sdk/common";
import { DashboardBuilder, DashboardLinkBuilder } from "@grafana/grafana-foundation-sdk/dashboard";
import { DataqueryBuilder } from "@grafana/grafana-foundation-sdk/prometheus";
import { PanelBuilder } from "@grafana/grafana-foundation-sdk/timeseries";

/** The data sources Grafana is provisioned with (docker/grafana/provisioning). */
const PROMETHEUS: DataSourceRef = { type: "prometheus", uid: "prometheus" };
export const JAEGER: DataSourceRef = { type: "jaeger", uid: "jaeger" };

/** A dashboard of this project: tagged alike, refreshed every 10 s, the last half hour. */
export const dashboard = (title: string, uid: string) =>
  new DashboardBuilder(title).uid(uid).tags(["orders-invoices"]).refresh("10s").time({ from: "now-30m", to: "now" });

/** One line of a panel: a PromQL query and how its series are named in the legend. */
interface Line {
  expr: string;
  legend: string;
}

/** A time-series panel of `lines`, in `unit` (Grafana's unit ids: "reqps", "s", "bytes", "percentunit"…). */
export function timeseries(title: string, description: string, unit: string, lines: Line[], width = 12): PanelBuilder {
  const legend = new VizLegendOptionsBuilder().showLegend(true).displayMode(LegendDisplayMode.List).placement(LegendPlacement.Bottom);
  const panel = new PanelBuilder()
    .title(title)
    .description(description)
    .unit(unit)
    .datasource(PROMETHEUS)
    .span(width)
    .height(8)
    .min(0)
    .legend(legend);
  for (const [i, { expr, legend }] of lines.entries()) {
    panel.withTarget(
      new DataqueryBuilder()
        .datasource(PROMETHEUS)
        .refId(String.fromCharCode(65 + i))
        .expr(expr)
        .legendFormat(legend),
    );
  }
  return panel;
}

/** The `q` quantile of a histogram's `_bucket` series, by `by` (Moleculer writes buckets only: no `_sum`/`_count`). */
export const quantile = (q: number, bucket: string, by: string[] = []) =>
  `histogram_quantile(${q}, sum by (${["le", ...by].join(", ")}) (rate(${bucket}[$__rate_interval])))`;

/**
 * A data link from a latency series to example traces: Grafana's Explore searching Jaeger for `service`'s
 * traces at least as slow as the point clicked (a value in ms), in the panel's time range. Moleculer's
 * metrics carry no exemplars, so this search is the way from a percentile to the requests behind it.
 */
export function slowTracesLink(service: string): DashboardLinkBuilder {
  /** Grafana's `${name}`, filled in when the link is followed. */
  const variable = (name: string) => `$\{${name}}`;
  const pane = {
    datasource: JAEGER.uid,
    queries: [{ refId: "A", datasource: JAEGER, queryType: "search", service, minDuration: `${variable("__value.raw")}ms`, limit: 20 }],
    range: { from: variable("__from"), to: variable("__to") },
  };
  // URL-encoded, but for the variables: Grafana looks for them as they are written.
  const panes = encodeURIComponent(JSON.stringify({ slow: pane })).replace(/%24%7B(.*?)%7D/g, (_, name) => variable(name));
  return new DashboardLinkBuilder(`${service}: traces this slow`).url(`/explore?schemaVersion=1&panes=${panes}`).targetBlank(true);
}
