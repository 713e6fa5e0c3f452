import { type DataSourceRef, LegendDisplayMode, LegendPlacement, VizLegendOptionsBuilder } from "@grafana/grafana-foundation-sdk/common";
import { DashboardBuilder } from "@grafana/grafana-foundation-sdk/dashboard";
import { DataqueryBuilder } from "@grafana/grafana-foundation-sdk/prometheus";
import { PanelBuilder } from "@grafana/grafana-foundation-sdk/timeseries";

/** The Prometheus data source Grafana is provisioned with (docker/grafana/provisioning). */
const PROMETHEUS: DataSourceRef = { type: "prometheus", uid: "prometheus" };

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
