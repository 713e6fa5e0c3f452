import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { KONG_YML, kongDeclarativeConfig } from "../src/kong-config";

describe("Kong's configuration on AWS", () => {
  const base = { upstreamUrl: "http://gateway.svc.internal:3000", samplingRate: 0.1 };

  it("keeps kong/kong.yml's routes and plugins and swaps the upstream", () => {
    const local = parse(readFileSync(KONG_YML, "utf8"));
    const aws = JSON.parse(kongDeclarativeConfig({ ...base, tracesEndpoint: "http://collector:4318/v1/traces" }));
    expect(aws.services[0].url).toBe(base.upstreamUrl);
    expect(aws.services[0].routes).toEqual(local.services[0].routes);
    expect(aws.plugins.map((p: { name: string }) => p.name)).toEqual(local.plugins.map((p: { name: string }) => p.name));
  });

  it("leaves tracing out when no collector is configured", () => {
    const aws = JSON.parse(kongDeclarativeConfig(base));
    expect(aws.plugins.map((p: { name: string }) => p.name)).not.toContain("opentelemetry");
  });

  it("refuses a file with more than the gateway as service", () => {
    const source = "_format_version: '3.0'\nservices: [{ name: a, url: 'http://a' }, { name: b, url: 'http://b' }]\n";
    expect(() => kongDeclarativeConfig(base, source)).toThrow(/one service/);
  });
});
