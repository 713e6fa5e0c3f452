import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

/** The project's Kong configuration; the AWS variant differs only where the environment does. */
export const KONG_YML = path.resolve(__dirname, "..", "..", "kong", "kong.yml");

export interface KongOverrides {
  /** The gateway as Kong reaches it here: its Cloud Map name and port. */
  upstreamUrl: string;
  /** OTLP/HTTP traces endpoint; without one the opentelemetry plugin is dropped (no Jaeger here). */
  tracesEndpoint?: string;
  samplingRate: number;
}

interface KongPlugin {
  name: string;
  config?: Record<string, unknown>;
}
interface KongConfig {
  services: { name: string; url: string }[];
  plugins?: KongPlugin[];
}

/**
 * kong/kong.yml with the upstream and tracing of this deployment, as the JSON string Kong takes in
 * KONG_DECLARATIVE_CONFIG_STRING: routes and plugins stay in one file for Compose and AWS alike.
 */
export function kongDeclarativeConfig(overrides: KongOverrides, source = readFileSync(KONG_YML, "utf8")): string {
  const config = parse(source) as KongConfig;
  if (config.services.length !== 1) throw new Error(`${KONG_YML}: expected one service (the gateway)`);
  config.services[0].url = overrides.upstreamUrl;

  const plugins = config.plugins ?? [];
  const tracing = plugins.find((plugin) => plugin.name === "opentelemetry");
  if (tracing && overrides.tracesEndpoint) {
    tracing.config = { ...tracing.config, traces_endpoint: overrides.tracesEndpoint, sampling_rate: overrides.samplingRate };
  } else if (tracing) {
    config.plugins = plugins.filter((plugin) => plugin !== tracing);
  }
  return JSON.stringify(config);
}
