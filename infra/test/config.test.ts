import { readFileSync } from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { readConfig } from "../src/config";
import { recordResources } from "./mocks";

recordResources(); // sets the project name the stack config is read under

/** Reads the config as `pulumi up` would with these Pulumi.<stack>.yaml values. */
function withConfig(values: Record<string, unknown>) {
  pulumi.runtime.setAllConfig(
    Object.fromEntries(
      Object.entries(values).map(([key, value]) => [`orders-invoices:${key}`, typeof value === "string" ? value : JSON.stringify(value)]),
    ),
  );
  return readConfig();
}

describe("stack config", () => {
  it("sizes each role from config over the defaults", () => {
    const config = withConfig({ roles: { orders: { maxCount: 9, cpu: 1024, memory: 2048 } } });
    expect(config.roles.orders).toEqual({ cpu: 1024, memory: 2048, minCount: 2, maxCount: 9, cpuTarget: 60 });
    expect(config.roles.kong).toEqual({ cpu: 256, memory: 512, minCount: 2, maxCount: 6, cpuTarget: 60 });
    expect(config).toMatchObject({ deletionProtection: true, natGateways: "OnePerAz", https: undefined });
  });

  it("refuses sizes and keys it cannot deploy", () => {
    expect(() => withConfig({ roles: { order: { maxCount: 3 } } })).toThrow(/unknown role/);
    expect(() => withConfig({ roles: { gateway: { minCount: 4, maxCount: 2 } } })).toThrow(/minCount <= maxCount/);
    expect(() => withConfig({ natGateways: "None" })).toThrow(/natGateways/);
    expect(() => withConfig({ certificateArn: "arn:aws:acm:eu-west-1:1:certificate/x" })).toThrow(/domainName/);
    expect(() => withConfig({ otelExporterOtlpProtocol: "http" })).toThrow(/otelExporterOtlpProtocol must be one of grpc/);
    expect(() => withConfig({ otelExporterOtlpHeaders: "Authorization=Basic x" })).toThrow(/needs otelExporterOtlpEndpoint/);
  });

  it("sends traces and logs over gRPC unless told otherwise, and keeps the OTLP headers secret", async () => {
    expect(withConfig({}).otelExporterOtlpProtocol).toBe("grpc");
    const config = withConfig({
      otelExporterOtlpEndpoint: "https://otlp-gateway.example.grafana.net/otlp",
      otelExporterOtlpProtocol: "http/protobuf",
      otelExporterOtlpHeaders: "Authorization=Basic x",
    });
    expect(config.otelExporterOtlpProtocol).toBe("http/protobuf");
    expect(await pulumi.isSecret(config.otelExporterOtlpHeaders!)).toBe(true);
  });

  it("reads the documented example stack file", () => {
    const example = parse(readFileSync(path.join(__dirname, "..", "Pulumi.dev.yaml"), "utf8")).config as Record<string, unknown>;
    const ours = Object.entries(example).filter(([key]) => key.startsWith("orders-invoices:"));
    const config = withConfig(Object.fromEntries(ours.map(([key, value]) => [key.split(":")[1], value])));
    expect(config.roles.gateway.maxCount).toBe(4);
    expect(config).toMatchObject({ natGateways: "Single", deletionProtection: false, mqInstanceType: "mq.t3.micro" });
  });
});
