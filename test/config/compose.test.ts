import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

/**
 * docker-compose.yml, checked without a Docker engine: Debian's docker-compose 1.29 validates and
 * resolves it (interpolation, anchors; `.ci/run` installs it), then the resolved file is held against
 * what the code reads, the databases init.sql creates, and Kong's upstream in kong/kong.yml.
 */
const root = join(__dirname, "..", "..");

/** docker-compose with a clean environment, so only the file's own defaults are interpolated. */
function compose(...args: string[]) {
  const result = spawnSync("docker-compose", ["-f", "docker-compose.yml", ...args], {
    cwd: root,
    env: { PATH: process.env.PATH },
    encoding: "utf8",
  });
  if (result.error) throw new Error(`docker-compose is not installed (apt-get install docker-compose): ${result.error.message}`);
  return result;
}

interface ComposeService {
  image?: string;
  build?: { context: string };
  environment?: Record<string, string>;
  /** docker-compose 1.29 prints the short forms: "127.0.0.1:8000:8000/tcp", "./src:/target:ro". */
  ports?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  volumes?: string[];
  command?: string[];
}

function port(spec: string) {
  const parts = spec.split("/")[0].split(":");
  return { target: Number(parts.pop()), published: parts.pop(), hostIp: parts.pop() };
}
function volume(spec: string) {
  const [source, target, mode] = spec.split(":");
  return { source, target, readOnly: mode === "ro" };
}

const validation = compose("config", "-q");
const resolved = compose("config");
const services: Record<string, ComposeService> = resolved.status === 0 ? parse(resolved.stdout).services : {};
const kong = parse(readFileSync(join(root, "kong", "kong.yml"), "utf8"));

/** The Moleculer nodes and the role (`SERVICES`) each runs. */
const NODES = { gateway: "api", orders: "orders", invoices: "invoices" } as const;
type Node = keyof typeof NODES;

/** The service modules moleculer-runner loads for SERVICES=<role>: a folder's *.service files, else <role>.service. */
function serviceFiles(role: string): string[] {
  const folder = join(root, "services", role);
  const inFolder = existsSync(folder)
    ? readdirSync(folder, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".service.ts"))
    : [];
  return inFolder.length > 0 ? inFolder.map((f) => join(folder, f)) : [`${folder}.service.ts`];
}

/** Names a process reads from its environment while moleculer.config and its role's services load. */
function namesReadBy(role: string, env: Record<string, string>): Set<string> {
  const read = new Set<string>();
  const saved = process.env;
  process.env = new Proxy({ ...env } as NodeJS.ProcessEnv, {
    get(target, name) {
      if (typeof name === "string") read.add(name);
      return Reflect.get(target, name);
    },
    has(target, name) {
      if (typeof name === "string") read.add(name);
      return Reflect.has(target, name);
    },
  });
  try {
    jest.isolateModules(() => {
      require("../../moleculer.config");
      for (const file of serviceFiles(role)) require(file);
    });
  } finally {
    process.env = saved;
  }
  return read;
}
/** Read by moleculer-runner (SERVICES) or by the OpenTelemetry SDK rather than by our modules. */
const READ_ELSEWHERE = new Set(["SERVICES", "OTEL_EXPORTER_OTLP_ENDPOINT"]);

describe("docker-compose.yml", () => {
  it("is valid for docker-compose", () => {
    expect({ status: validation.status, stderr: validation.stderr }).toEqual({ status: 0, stderr: "" });
  });

  it("runs infrastructure, Kong and the three nodes from one image built here", () => {
    expect(Object.keys(services).sort()).toEqual([
      "gateway",
      "grafana",
      "invoices",
      "jaeger",
      "kong",
      "loki",
      "orders",
      "otel-collector",
      "postgres",
      "prometheus",
      "rabbitmq",
    ]);
    const images = new Set(Object.keys(NODES).map((node) => services[node].image));
    expect(images.size).toBe(1);
    for (const node of Object.keys(NODES)) expect(services[node].build?.context).toBe(root);
  });

  it("gives every service a healthcheck and starts dependents once it passes (telemetry never blocks)", () => {
    // Its image is built FROM scratch: nothing in it could run a healthcheck.
    const bare = new Set(["otel-collector"]);
    const telemetry = new Set([...bare, "loki", "jaeger"]);
    for (const [name, service] of Object.entries(services)) {
      const healthcheck = (service.healthcheck?.test ?? []).length > 1;
      expect({ name, healthcheck }).toEqual({ name, healthcheck: !bare.has(name) });
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect({ name, dependency, condition }).toEqual({
          name,
          dependency,
          condition: telemetry.has(dependency) ? "service_started" : "service_healthy",
        });
      }
    }
    for (const node of Object.keys(NODES)) {
      expect(Object.keys(services[node].depends_on ?? {})).toEqual(expect.arrayContaining(["postgres", "rabbitmq"]));
    }
    expect(Object.keys(services.kong.depends_on ?? {})).toContain("gateway");
  });

  it.each(Object.entries(NODES))("sets for %s only names its code reads, and everything it needs", (node, role) => {
    const env = services[node].environment ?? {};
    expect(env.SERVICES).toBe(role);
    const read = namesReadBy(role, env); // throws when a required variable is missing or malformed
    const unread = Object.keys(env).filter((name) => !read.has(name) && !READ_ELSEWHERE.has(name));
    expect(unread).toEqual([]);
    expect(new URL(env.TRANSPORTER).host).toBe("rabbitmq:5672");
    expect(new URL(env.OTEL_EXPORTER_OTLP_ENDPOINT).host).toBe("otel-collector:4317");
  });

  it("connects orders and invoices to their own database, created by init.sql, as the postgres user", () => {
    const initSql = readFileSync(join(root, "docker", "postgres", "init.sql"), "utf8");
    const created = [...initSql.matchAll(/CREATE DATABASE (\w+)/gi)].map((m) => m[1]);
    const postgres = services.postgres.environment!;
    for (const [node, variable] of [
      ["orders", "ORDERS_DATABASE_URL"],
      ["invoices", "INVOICES_DATABASE_URL"],
    ] as const) {
      const url = new URL(services[node].environment![variable]);
      expect({ host: url.host, user: url.username, password: url.password }).toEqual({
        host: "postgres:5432",
        user: postgres.POSTGRES_USER,
        password: postgres.POSTGRES_PASSWORD,
      });
      expect(created).toContain(url.pathname.slice(1));
      expect(url.pathname.slice(1)).toBe(node);
    }
    expect(services.postgres.volumes!.map(volume)).toContainEqual({
      source: join(root, "docker", "postgres", "init.sql"),
      target: "/docker-entrypoint-initdb.d/init.sql",
      readOnly: true,
    });
  });

  it("uses the broker credentials RabbitMQ is started with", () => {
    const rabbit = services.rabbitmq.environment!;
    for (const node of Object.keys(NODES) as Node[]) {
      const url = new URL(services[node].environment!.TRANSPORTER);
      expect({ user: url.username, password: url.password }).toEqual({
        user: rabbit.RABBITMQ_DEFAULT_USER,
        password: rabbit.RABBITMQ_DEFAULT_PASS,
      });
    }
  });

  it("lines Kong's upstream up with the gateway's service name and port", () => {
    const upstream = new URL(kong.services[0].url);
    expect(upstream.hostname).toBe("gateway");
    expect(upstream.port).toBe(services.gateway.environment!.PORT);
    const tracing = kong.plugins.find((p: { name: string }) => p.name === "opentelemetry");
    expect(new URL(tracing.config.traces_endpoint).host).toBe("otel-collector:4318");
  });

  it("gives Kong its declarative file, DB-less, with the admin API kept inside its container", () => {
    const env = services.kong.environment!;
    expect(env.KONG_DATABASE).toBe("off");
    expect(services.kong.volumes!.map(volume)).toContainEqual({
      source: join(root, "kong", "kong.yml"),
      target: env.KONG_DECLARATIVE_CONFIG,
      readOnly: true,
    });
    expect(env.KONG_ADMIN_LISTEN === "off" || /^127\.0\.0\.1:\d+$/.test(env.KONG_ADMIN_LISTEN)).toBe(true);
    expect(env.KONG_PROXY_LISTEN).toBe("0.0.0.0:8000");
  });

  it("runs Prometheus on the shipped configuration, scraping every node on the port it serves metrics on", () => {
    expect(services.prometheus.volumes?.map(volume)).toContainEqual({
      source: join(root, "docker", "prometheus"),
      target: "/etc/prometheus",
      readOnly: true,
    });
    const scraped = parse(readFileSync(join(root, "docker", "prometheus", "prometheus.yml"), "utf8")).scrape_configs.find(
      (job: { job_name: string }) => job.job_name === "nodes",
    );
    expect([...scraped.dns_sd_configs[0].names].sort()).toEqual(Object.keys(NODES).sort());
    for (const node of Object.keys(NODES)) expect(services[node].environment?.METRICS_PORT).toBe(String(scraped.dns_sd_configs[0].port));
  });

  it("runs Grafana on the provisioned data sources and the generated dashboards", () => {
    const mounts = services.grafana.volumes?.map(volume);
    expect(mounts).toContainEqual({
      source: join(root, "docker", "grafana", "provisioning"),
      target: "/etc/grafana/provisioning",
      readOnly: true,
    });
    const provider = parse(readFileSync(join(root, "docker", "grafana", "provisioning", "dashboards", "dashboards.yml"), "utf8"))
      .providers[0];
    expect(mounts).toContainEqual({ source: join(root, "docker", "grafana", "dashboards"), target: provider.options.path, readOnly: true });
    // Anonymous viewers may open Explore, where the links between logs, traces and panels lead.
    expect(services.grafana.environment).toMatchObject({ GF_AUTH_ANONYMOUS_ENABLED: "true", GF_USERS_VIEWERS_CAN_EDIT: "true" });
    const sources = parse(
      readFileSync(join(root, "docker", "grafana", "provisioning", "datasources", "datasources.yml"), "utf8"),
    ).datasources;
    const prometheus = sources.find((source: { type: string }) => source.type === "prometheus");
    expect(new URL(prometheus.url).host).toBe(`prometheus:${port(services.prometheus.ports![0]).target}`);
  });

  it("runs the OpenTelemetry Collector and Loki on the shipped configurations", () => {
    expect(services["otel-collector"].volumes?.map(volume)).toContainEqual({
      source: join(root, "docker", "otel-collector", "config.yaml"),
      target: "/etc/otelcol/config.yaml",
      readOnly: true,
    });
    expect(services["otel-collector"].command).toEqual(["--config=/etc/otelcol/config.yaml"]);
    expect(services.loki.volumes?.map(volume)).toContainEqual({
      source: join(root, "docker", "loki", "config.yaml"),
      target: "/etc/loki/config.yaml",
      readOnly: true,
    });
    expect(services.loki.command).toEqual(["-config.file=/etc/loki/config.yaml"]);
  });

  it("publishes only Kong's proxy and the web UIs, on localhost", () => {
    const published = Object.entries(services).flatMap(([name, s]) =>
      (s.ports ?? []).map((spec) => ({ name, target: port(spec).target, hostIp: port(spec).hostIp })),
    );
    expect(published.sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      { name: "grafana", target: 3000, hostIp: "127.0.0.1" },
      { name: "jaeger", target: 16686, hostIp: "127.0.0.1" },
      { name: "kong", target: 8000, hostIp: "127.0.0.1" },
      { name: "prometheus", target: 9090, hostIp: "127.0.0.1" },
      { name: "rabbitmq", target: 15672, hostIp: "127.0.0.1" },
    ]);
  });
});
