import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { transportLimits } from "../../mixins/moleculer/transport-limits";
import ApiServiceSchema from "../../services/api.service";

/**
 * kong/kong.yml against the part of Kong's declarative schema (format 3.0, Kong 3.9) that it uses, and
 * against the gateway: every Kong route must reach a moleculer-web alias, every public alias a route.
 * No offline validator for Kong installs here (no Kong binary, no Docker), so the schema subset is spelled out:
 * a field it does not list is an error, as it would be for Kong.
 */
const kong = parse(readFileSync(join(__dirname, "..", "..", "kong", "kong.yml"), "utf8"));

type Schema =
  | { type: "string"; oneOf?: string[]; match?: RegExp }
  | { type: "number" | "integer"; between?: [number, number] }
  | { type: "boolean" }
  | { type: "array"; elements: Schema; min?: number }
  | { type: "map"; values: Schema }
  | { type: "record"; fields: Record<string, Schema>; required?: string[] }
  /** A plugin's config: a record checked against that plugin's own schema, by name. */
  | { type: "pluginConfig" };

const str = (oneOf?: string[]): Schema => ({ type: "string", oneOf });
const url: Schema = { type: "string", match: /^https?:\/\/[^/\s:]+(:\d+)?(\/\S*)?$/ };
const int = (between?: [number, number]): Schema => ({ type: "integer", between });
const num = (between?: [number, number]): Schema => ({ type: "number", between });
const bool: Schema = { type: "boolean" };
const array = (elements: Schema, min?: number): Schema => ({ type: "array", elements, min });
const record = (fields: Record<string, Schema>, required: string[] = []): Schema => ({ type: "record", fields, required });
const timeout = int([0, 2 ** 31 - 2]);
const HTTP_METHODS = ["GET", "HEAD", "PUT", "PATCH", "POST", "DELETE", "OPTIONS", "TRACE", "CONNECT"];
const PROPAGATION_FORMATS = ["w3c", "b3", "b3-single", "jaeger", "ot", "aws", "gcp", "datadog"];

/** Each plugin's `config` as Kong 3.9 defines it (the fields this project may set). */
const PLUGIN_CONFIGS: Record<string, Schema> = {
  "correlation-id": record({
    header_name: str(),
    generator: str(["uuid", "uuid#counter", "tracker"]),
    echo_downstream: bool,
  }),
  cors: record({
    origins: array(str()),
    methods: array(str(HTTP_METHODS)),
    headers: array(str()),
    exposed_headers: array(str()),
    credentials: bool,
    max_age: num(),
    preflight_continue: bool,
    private_network: bool,
  }),
  "rate-limiting": record({
    second: num([0, Infinity]),
    minute: num([0, Infinity]),
    hour: num([0, Infinity]),
    day: num([0, Infinity]),
    limit_by: str(["consumer", "credential", "ip", "service", "header", "path", "consumer-group"]),
    policy: str(["local", "cluster", "redis"]),
    fault_tolerant: bool,
    hide_client_headers: bool,
    error_code: num(),
    error_message: str(),
  }),
  "request-size-limiting": record({
    allowed_payload_size: int([0, Infinity]),
    size_unit: str(["megabytes", "kilobytes", "bytes"]),
    require_content_length: bool,
  }),
  opentelemetry: record(
    {
      traces_endpoint: url,
      resource_attributes: { type: "map", values: str() },
      sampling_rate: num([0, 1]),
      connect_timeout: timeout,
      send_timeout: timeout,
      read_timeout: timeout,
      propagation: record({
        extract: array(str(PROPAGATION_FORMATS)),
        inject: array(str(["preserve", ...PROPAGATION_FORMATS])),
        default_format: str(PROPAGATION_FORMATS),
      }),
    },
    ["traces_endpoint"],
  ),
};

const ROUTE = record(
  {
    name: str(),
    paths: array({ type: "string", match: /^(\/|~)/ }, 1),
    methods: array(str(HTTP_METHODS)),
    strip_path: bool,
    preserve_host: bool,
    protocols: array(str(["http", "https"])),
  },
  ["name", "paths"],
);
const SERVICE = record(
  {
    name: str(),
    url,
    connect_timeout: timeout,
    read_timeout: timeout,
    write_timeout: timeout,
    retries: int([0, 32767]),
    routes: array(ROUTE),
  },
  ["name", "url"],
);
const DECLARATIVE = record(
  {
    _format_version: str(["3.0"]),
    services: array(SERVICE, 1),
    plugins: array(record({ name: str(Object.keys(PLUGIN_CONFIGS)), config: { type: "pluginConfig" } }, ["name", "config"])),
  },
  ["_format_version", "services"],
);

/** Every place where `value` breaks `schema`, as "path: problem". */
function violations(value: unknown, schema: Schema, path = "$", parent?: Record<string, unknown>): string[] {
  const here = (problem: string) => [`${path}: ${problem}`];
  switch (schema.type) {
    case "string":
      if (typeof value !== "string") return here(`expected a string, got ${JSON.stringify(value)}`);
      if (schema.oneOf && !schema.oneOf.includes(value)) return here(`${value} is not one of ${schema.oneOf.join(", ")}`);
      if (schema.match && !schema.match.test(value)) return here(`${value} does not match ${schema.match}`);
      return [];
    case "number":
    case "integer": {
      if (typeof value !== "number" || (schema.type === "integer" && !Number.isInteger(value))) {
        return here(`expected ${schema.type === "integer" ? "an integer" : "a number"}, got ${JSON.stringify(value)}`);
      }
      const [min, max] = schema.between ?? [-Infinity, Infinity];
      return value < min || value > max ? here(`${value} is outside ${min}..${max}`) : [];
    }
    case "boolean":
      return typeof value === "boolean" ? [] : here(`expected a boolean, got ${JSON.stringify(value)}`);
    case "array":
      if (!Array.isArray(value)) return here("expected an array");
      if (value.length < (schema.min ?? 0)) return here(`expected at least ${schema.min} element(s)`);
      return value.flatMap((element, i) => violations(element, schema.elements, `${path}[${i}]`));
    case "map":
      if (typeof value !== "object" || value === null || Array.isArray(value)) return here("expected a map");
      return Object.entries(value).flatMap(([key, v]) => violations(v, schema.values, `${path}.${key}`));
    case "pluginConfig":
      return violations(value, PLUGIN_CONFIGS[parent?.name as string] ?? record({}), path);
    case "record": {
      if (typeof value !== "object" || value === null || Array.isArray(value)) return here("expected a record");
      const fields = value as Record<string, unknown>;
      return [
        ...(schema.required ?? []).filter((key) => fields[key] === undefined).map((key) => `${path}.${key}: required`),
        ...Object.entries(fields).flatMap(([key, v]) =>
          key in schema.fields ? violations(v, schema.fields[key], `${path}.${key}`, fields) : [`${path}.${key}: unknown field`],
        ),
      ];
    }
  }
}

interface KongPlugin {
  name: string;
  config: Record<string, any>;
}
const plugins = new Map<string, KongPlugin>((kong.plugins ?? []).map((p: KongPlugin) => [p.name, p]));
const plugin = (name: string) => {
  expect(plugins.has(name)).toBe(true);
  return plugins.get(name)!.config;
};
const routes: { name: string; paths: string[]; methods?: string[]; strip_path?: boolean }[] = kong.services.flatMap(
  (s: { routes?: unknown[] }) => s.routes ?? [],
);

/** The gateway's REST aliases as `{ method, path }`, read from the service schema itself. */
const aliases = (ApiServiceSchema.settings!.routes ?? []).flatMap((route) =>
  Object.keys(route.aliases ?? {}).map((alias) => {
    const [method, path] = alias.split(/\s+/);
    return { method, path: `/${[route.path, path].join("/").split("/").filter(Boolean).join("/")}` };
  }),
);
/** Aliases deliberately kept off the internet: readiness names failing backends, for orchestrators. */
const INTERNAL_PATHS = new Set(["/ready"]);

/** Kong's route paths are prefixes; one "reaches" an alias at the same path or below it. */
const covers = (prefix: string, path: string) => path === prefix || path.startsWith(`${prefix.replace(/\/$/, "")}/`);

describe("kong/kong.yml", () => {
  it("fits Kong's declarative schema (format 3.0) for every field it sets", () => {
    expect(violations(kong, DECLARATIVE)).toEqual([]);
    const names = [...kong.services, ...routes, ...(kong.plugins ?? [])].map((entity: { name: string }) => entity.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it("forwards paths unchanged to one gateway service", () => {
    expect(kong.services).toHaveLength(1);
    expect(new URL(kong.services[0].url).pathname).toBe("/");
    for (const route of routes) {
      expect({ route: route.name, strip_path: route.strip_path }).toEqual({ route: route.name, strip_path: false });
      for (const path of route.paths) expect(path.startsWith("~")).toBe(false); // prefixes, no regexes
    }
  });

  it("routes only to paths the gateway serves", () => {
    const dead = routes.flatMap((route) =>
      route.paths.filter((prefix) => !aliases.some((a) => covers(prefix, a.path) && (!route.methods || route.methods.includes(a.method)))),
    );
    expect(dead).toEqual([]);
  });

  it("routes every public gateway alias, including /orders and /invoices by prefix", () => {
    expect(aliases.length).toBeGreaterThan(0);
    const unrouted = aliases
      .filter((a) => !INTERNAL_PATHS.has(a.path))
      .filter((a) => !routes.some((r) => r.paths.some((p) => covers(p, a.path)) && (!r.methods || r.methods.includes(a.method))))
      .map((a) => `${a.method} ${a.path}`);
    expect(unrouted).toEqual([]);
    expect(routes.flatMap((r) => r.paths)).toEqual(expect.arrayContaining(["/orders", "/invoices"]));
    expect(routes.some((r) => r.paths.some((p) => INTERNAL_PATHS.has(p)))).toBe(false);
  });

  it("carries the request ID the gateway reads as ctx.requestID", () => {
    expect(plugin("correlation-id")).toMatchObject({ header_name: "X-Request-ID", echo_downstream: true });
  });

  it("limits request rates per node without a database, and allows CORS preflights", () => {
    const limits = plugin("rate-limiting");
    expect(limits.policy).toBe("local");
    expect(["second", "minute", "hour", "day"].some((window) => limits[window] > 0)).toBe(true);
    const cors = plugin("cors");
    expect(cors.methods).toEqual(expect.arrayContaining(["GET", "POST", "OPTIONS"]));
    expect(cors.headers).toEqual(expect.arrayContaining(["Content-Type", "X-Request-ID"]));
  });

  it("lets bodies up to the gateway's own limit through, so clients see the gateway's 413", () => {
    const { allowed_payload_size: size, size_unit: unit } = plugin("request-size-limiting");
    const kongBytes = size * { bytes: 1, kilobytes: 1024, megabytes: 1024 ** 2 }[unit as string]!;
    // What the gateway's body reader is given (services/api.service.ts).
    const gatewayBytes = transportLimits().bodyLimitBytes;
    expect(gatewayBytes).toBeGreaterThan(0);
    expect(kongBytes).toBeGreaterThanOrEqual(gatewayBytes);
  });

  it("exports spans over OTLP/HTTP to the collector's 4318 with a sampling rate", () => {
    const tracing = plugin("opentelemetry");
    const endpoint = new URL(tracing.traces_endpoint);
    expect({ port: endpoint.port, path: endpoint.pathname }).toEqual({ port: "4318", path: "/v1/traces" });
    expect(typeof tracing.sampling_rate).toBe("number");
  });
});
