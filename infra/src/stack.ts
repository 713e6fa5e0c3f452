import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { createAlarms } from "./alarms";
import type { Role, StackConfig } from "./config";
import { createBroker, createDatabase, createDatabaseSubnetGroup, createOtlpHeadersSecret } from "./data";
import { createEdge } from "./edge";
import { createImage } from "./image";
import { createNetwork } from "./network";
import { createPlatform, createRoleService, kongRoleSpec, nodeRoleSpecs } from "./services";

/** The whole deployment (README: Deploying to AWS); returns the public URL, Kong behind the load balancer. */
export function createStack(config: StackConfig): { url: pulumi.Output<string> } {
  const network = createNetwork(config);
  const subnetGroup = createDatabaseSubnetGroup(network);
  const databases = {
    orders: createDatabase("orders", subnetGroup, network, config),
    invoices: createDatabase("invoices", subnetGroup, network, config),
  };
  const transporter = createBroker(network, config);
  const otlpHeaders = config.otelExporterOtlpHeaders ? createOtlpHeadersSecret(config.otelExporterOtlpHeaders) : undefined;
  const image = createImage(config);
  const edge = createEdge(network, config);
  const platform = createPlatform(network, config);

  const specs = [...nodeRoleSpecs(image, transporter, databases, config, otlpHeaders), kongRoleSpec(platform, config)];
  const services = Object.fromEntries(specs.map((spec) => [spec.role, createRoleService(spec, platform, network, edge, config)]));
  createAlarms(edge, platform, services as Record<Role, aws.ecs.Service>, config);
  return { url: edge.url };
}
