import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import type { Invoice } from "../../contracts/invoices";
import type { Page } from "../../contracts/paging";
import { dashboards } from "../../scripts/dashboards";
import { type Cluster, startCluster } from "../support/cluster";
import { TEST_AMQP_URL } from "../support/environment";
import { eventually } from "../support/eventually";
import { createOrders, expectEveryOrderInvoicedOnce } from "../support/orders";
import { type PrometheusServer, startPrometheus } from "../support/prometheus";

/**
 * A real Prometheus scraping the three real nodes under a little traffic, with the shipped alert rules
 * loaded: every metric an alert reads exists under the name the alert uses, and the business metrics
 * count what happened.
 */
const alertsFile = join(__dirname, "..", "..", "docker", "prometheus", "alerts.yml");
const alerts: Array<{ alert: string; expr: string }> = parse(readFileSync(alertsFile, "utf8")).groups.flatMap(
  (group: { rules: Array<{ alert: string; expr: string }> }) => group.rules,
);

const PROMQL_WORDS = new Set(["and", "or", "unless", "bool", "offset", "by", "without", "on", "ignoring", "group_left", "group_right"]);

/** The metric names a PromQL expression reads: what is left once strings, matchers, ranges, groupings and functions are taken out. */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"[^"]*"/g, "")
    .replace(/\{[^}]*\}/g, "")
    .replace(/\[[^\]]*\]/g, "")
    .replace(/\b(by|without|on|ignoring)\s*\([^)]*\)/g, "");
  const names = [...bare.matchAll(/\b([a-zA-Z_:][a-zA-Z0-9_:]*)\b(?!\s*\()/g)].map((match) => match[1]);
  return [...new Set(names.filter((name) => !PROMQL_WORDS.has(name)))];
}

let cluster: Cluster;
let prometheus: PrometheusServer;
let orderIds: string[];

beforeAll(async () => {
  cluster = await startCluster({}, { metrics: true });
  // RabbitMQ's own Prometheus plugin, per queue, as the compose configuration scrapes it (.ci/run enables it).
  const rabbitmq = {
    job_name: "rabbitmq",
    metrics_path: "/metrics/per-object",
    static_configs: [{ targets: [`${new URL(TEST_AMQP_URL).hostname}:15692`] }],
  };
  prometheus = await startPrometheus(cluster.metricsPorts as Record<string, number>, { ruleFiles: [alertsFile], otherJobs: [rabbitmq] });
  orderIds = await createOrders(cluster, 10, "scraped");
  await expectEveryOrderInvoicedOnce(cluster, orderIds);
  // An invoice paid, another order cancelled (its invoice voided), and a client mistake.
  const invoiceOf = async (orderId: string) => (await cluster.http.get<Page<Invoice>>(`/invoices?orderId=${orderId}`)).body.rows[0];
  expect((await cluster.http.post(`/invoices/${(await invoiceOf(orderIds[0])).id}/pay`, {})).status).toBe(200);
  expect((await cluster.http.post(`/orders/${orderIds[1]}/cancel`, {})).status).toBe(200);
  expect((await cluster.http.post("/orders", { customerId: "" })).status).toBe(422);
});

afterAll(async () => {
  await prometheus?.stop();
  await cluster?.stop();
});

it("reads the alerts' metric names out of their expressions", () => {
  expect(metricNames("max by (service) (outbox_parked) > 0")).toEqual(["outbox_parked"]);
  expect(metricNames("histogram_quantile(0.99, sum by (le) (rate(invoice_lag_seconds_bucket[5m]))) > 10")).toEqual([
    "invoice_lag_seconds_bucket",
  ]);
  expect(metricNames('up{job="nodes"} == 0')).toEqual(["up"]);
});

it("scrapes every node", async () => {
  await eventually(async () => {
    const up = await prometheus.query('up{job="nodes"} == 1');
    expect(up.map((series) => series.metric.role).sort()).toEqual(["api", "invoices", "orders"]);
  });
});

it.each(alerts.map((rule) => [rule.alert, metricNames(rule.expr)] as const))(
  "%s reads metrics the nodes serve: %j",
  async (_alert, names) => {
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) {
      await eventually(async () => expect(await prometheus.query(`count(${name})`)).toHaveLength(1));
    }
  },
);

it("counts what the business did, by event type", async () => {
  await eventually(async () => {
    const committed = await prometheus.query("sum by (type) (events_committed_total)");
    const byType = Object.fromEntries(committed.map((series) => [series.metric.type, Number(series.value[1])]));
    expect(byType).toEqual({
      "order.created": 10,
      "invoice.issued": 10,
      "invoice.paid": 1,
      "order.cancelled": 1,
      "invoice.voided": 1,
    });
  });
});

it("measures each invoice's lag, and the consumers' batches", async () => {
  await eventually(async () => {
    const [lagged] = await prometheus.query('sum(invoice_lag_seconds_bucket{le="+Inf"})');
    expect(Number(lagged.value[1])).toBe(10);
    const [batched] = await prometheus.query('sum(consumer_batch_size_bucket{service="invoices", event="order.created", le="+Inf"})');
    expect(Number(batched.value[1])).toBeGreaterThan(0);
  });
});

it("reports each node's CPU time and event-loop delay, which Moleculer's own metrics leave out", async () => {
  await eventually(async () => {
    const cpu = await prometheus.query("process_cpu_seconds_total > 0");
    expect(cpu.map((series) => series.metric.role).sort()).toEqual(["api", "invoices", "orders"]);
    const lag = await prometheus.query("nodejs_eventloop_lag_p99_seconds >= 0");
    expect(lag.map((series) => series.metric.role).sort()).toEqual(["api", "invoices", "orders"]);
  });
});

const panelQueries = Object.values(dashboards()).flatMap((dashboard) =>
  (dashboard.panels ?? []).flatMap((panel) =>
    ((panel as { targets?: Array<{ expr: string }> }).targets ?? []).map(
      (target) => [dashboard.title, (panel as { title: string }).title, target.expr] as const,
    ),
  ),
);

it.each(panelQueries)("dashboard %s, panel %s: %s answers with data", async (_dashboard, _panel, expr) => {
  // Grafana's $__rate_interval, as it would be for a 1 s scrape interval on a short range.
  const query = expr.replaceAll("$__rate_interval", "1m");
  await eventually(async () => expect((await prometheus.query(query)).length).toBeGreaterThan(0));
});

it("loads every alert rule, healthy, and none fires under this traffic", async () => {
  await eventually(async () => {
    const rules = (await (await fetch(`${prometheus.url}/api/v1/rules`)).json()) as any;
    const loaded = rules.data.groups.flatMap((group: { rules: Array<{ name: string; health: string }> }) => group.rules);
    expect(loaded.map((rule: { name: string }) => rule.name).sort()).toEqual(alerts.map((rule) => rule.alert).sort());
    expect(loaded.filter((rule: { health: string }) => rule.health !== "ok")).toEqual([]);
  });
  expect(await prometheus.query('ALERTS{alertstate="firing"}')).toEqual([]);
});
