import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { dashboards } from "../../scripts/dashboards";
import { SERVICE_NAMES } from "../../scripts/telemetry-sdk";

/**
 * The path of traces and logs in the compose stack, checked as configuration (no Collector, Loki or
 * Grafana binary runs here): nodes and Kong → OpenTelemetry Collector → Jaeger and Loki, and Grafana's
 * links between logs, traces and the latency panel. What the nodes send is checked for real in
 * test/integration/tracing.test.ts, against an OTLP receiver.
 */
const root = join(__dirname, "..", "..");
const yaml = (...path: string[]) => parse(readFileSync(join(root, ...path), "utf8"), { merge: true });

const collector = yaml("docker", "otel-collector", "config.yaml");
const loki = yaml("docker", "loki", "config.yaml");
const compose = yaml("docker-compose.yml");
const kong = yaml("kong", "kong.yml");

interface DataSource {
  uid: string;
  type: string;
  url: string;
  jsonData?: {
    tracesToLogsV2?: { datasourceUid: string; customQuery: boolean; query: string };
    derivedFields?: Array<{ matcherType: string; matcherRegex: string; datasourceUid: string; url: string }>;
  };
}
const sources: DataSource[] = yaml("docker", "grafana", "provisioning", "datasources", "datasources.yml").datasources;
const source = (type: string) => sources.find((s) => s.type === type)!;
/** Grafana's variable `${name}`. */
const variable = (name: string) => `$\{${name}}`;
/** A provisioning file's value as Grafana reads it: `$$` is a literal `$`. */
const provisioned = (value: string) => value.replaceAll("$$", "$");

type Pipeline = { receivers: string[]; processors?: string[]; exporters: string[] };
const pipelines: Record<string, Pipeline> = collector.service.pipelines;

describe("the OpenTelemetry Collector", () => {
  it("uses in its pipelines only components it defines, and defines none it leaves unused", () => {
    for (const kind of ["receivers", "processors", "exporters"] as const) {
      const used = new Set(Object.values(pipelines).flatMap((pipeline) => pipeline[kind] ?? []));
      expect({ kind, used: [...used].sort() }).toEqual({ kind, used: Object.keys(collector[kind]).sort() });
    }
  });

  it("receives OTLP where the nodes (gRPC) and Kong (HTTP) send it", () => {
    const { grpc, http } = collector.receivers.otlp.protocols;
    const nodes = new URL(compose["x-node-env"].OTEL_EXPORTER_OTLP_ENDPOINT);
    expect(`${nodes.hostname}:${grpc.endpoint.split(":")[1]}`).toBe(`otel-collector:${nodes.port}`);
    const kongTraces = new URL(kong.plugins.find((p: { name: string }) => p.name === "opentelemetry").config.traces_endpoint);
    expect(`${kongTraces.hostname}:${http.endpoint.split(":")[1]}`).toBe(`otel-collector:${kongTraces.port}`);
    for (const signal of ["traces", "logs"]) expect(pipelines[signal].receivers).toEqual(["otlp"]);
  });

  it("sends traces to Jaeger's OTLP port and logs to Loki's OTLP endpoint, limiting its memory first", () => {
    expect(pipelines.traces.exporters.map((name) => collector.exporters[name].endpoint)).toEqual(["jaeger:4317"]);
    const [logs] = pipelines.logs.exporters.map((name) => new URL(collector.exporters[name].endpoint));
    expect({ host: logs.host, path: logs.pathname }).toEqual({ host: `loki:${loki.server.http_listen_port}`, path: "/otlp" });
    for (const pipeline of Object.values(pipelines)) expect(pipeline.processors?.[0]).toBe("memory_limiter");
  });

  it("depends on nothing that waits for it, and Loki keeps OTLP records' trace ids (structured metadata)", () => {
    expect(Object.keys(compose.services["otel-collector"].depends_on).sort()).toEqual(["jaeger", "loki"]);
    expect(loki.limits_config.allow_structured_metadata).toBe(true);
  });
});

describe("Grafana's links between logs, traces and latency", () => {
  const uids = new Map(sources.map((s) => [s.uid, s.type]));

  it("reads Loki and Jaeger where compose runs them", () => {
    expect(new URL(source("loki").url).host).toBe(`loki:${loki.server.http_listen_port}`);
    expect(compose.services.jaeger.ports[0]).toMatch(/:16686"?$/);
    expect(new URL(source("jaeger").url).host).toBe("jaeger:16686");
  });

  it("leads from a log line to its trace: Loki's derived field on the record's trace_id opens it in Jaeger", () => {
    const [field] = source("loki").jsonData!.derivedFields!;
    expect(field).toMatchObject({ matcherType: "label", matcherRegex: "trace_id" });
    expect(uids.get(field.datasourceUid)).toBe("jaeger");
    expect(provisioned(field.url)).toBe(variable("__value.raw"));
  });

  it("leads from a trace to the logs of that trace, from every node", () => {
    const toLogs = source("jaeger").jsonData!.tracesToLogsV2!;
    expect(uids.get(toLogs.datasourceUid)).toBe("loki");
    expect(toLogs.customQuery).toBe(true);
    expect(provisioned(toLogs.query)).toBe(`{service_name=~".+"} | trace_id="${variable("__trace.traceId")}"`);
  });

  it("leads from the latency panel to Jaeger's search for traces at least that slow, of a service the nodes report", () => {
    const links = Object.values(dashboards()).flatMap((dashboard) =>
      (dashboard.panels ?? []).flatMap((panel) => {
        const { fieldConfig } = panel as { fieldConfig?: { defaults?: { unit?: string; links?: Array<{ url: string }> } } };
        return (fieldConfig?.defaults?.links ?? []).map((link) => ({ unit: fieldConfig?.defaults?.unit, url: link.url }));
      }),
    );
    expect(links.length).toBeGreaterThan(0);
    for (const { unit, url } of links) {
      const { pathname, searchParams } = new URL(url, "http://grafana");
      expect(pathname).toBe("/explore");
      const [pane] = Object.values(JSON.parse(searchParams.get("panes")!)) as Array<{
        datasource: string;
        queries: Array<{ queryType: string; service: string; minDuration: string }>;
      }>;
      expect(uids.get(pane.datasource)).toBe("jaeger");
      const [query] = pane.queries;
      expect(query.queryType).toBe("search");
      expect(Object.values(SERVICE_NAMES)).toContain(query.service);
      expect({ unit, minDuration: query.minDuration }).toEqual({ unit: "ms", minDuration: `${variable("__value.raw")}ms` });
    }
  });
});
