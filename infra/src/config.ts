import * as pulumi from "@pulumi/pulumi";

/** The Fargate services: the three Moleculer roles and Kong in front of them. */
export const ROLES = ["gateway", "orders", "invoices", "kong"] as const;
export type Role = (typeof ROLES)[number];

/** Size and CPU-target autoscaling of one role's Fargate service. */
export interface RoleSizing {
  /** Fargate CPU units (256 = 0.25 vCPU) and memory in MiB: a valid Fargate pair. */
  cpu: number;
  memory: number;
  /** Task count bounds; a deployment starts at minCount and the CPU target moves it in between. */
  minCount: number;
  maxCount: number;
  /** Average CPU utilisation (percent) the autoscaler keeps the service at. */
  cpuTarget: number;
}

export interface StackConfig {
  roles: Record<Role, RoleSizing>;
  /** "OnePerAz" survives the loss of an availability zone; "Single" is cheaper for development. */
  natGateways: "Single" | "OnePerAz";
  logRetentionDays: number;
  /** RDS deletion protection (and a final snapshot on delete); ECR keeps its images likewise. */
  deletionProtection: boolean;
  dbInstanceClass: string;
  dbEngineVersion: string;
  dbAllocatedStorageGb: number;
  dbMultiAz: boolean;
  mqInstanceType: string;
  mqEngineVersion: string;
  mqDeploymentMode: "SINGLE_INSTANCE" | "CLUSTER_MULTI_AZ";
  /** Private DNS namespace in which Kong finds the gateway (`gateway.<namespace>`). */
  serviceDiscoveryNamespace: string;
  kongImage: string;
  /** OTLP endpoint of the nodes' traces and logs (a collector, or a managed backend); unset: no OTEL_EXPORTER_OTLP_ENDPOINT. */
  otelExporterOtlpEndpoint?: string;
  /** How the nodes speak to it: gRPC, or OTLP/HTTP as managed backends (Grafana Cloud) take it. */
  otelExporterOtlpProtocol: (typeof OTLP_PROTOCOLS)[number];
  /** `Authorization=Basic …` and the like: a secret, stored in Secrets Manager and given to the nodes only. */
  otelExporterOtlpHeaders?: pulumi.Output<string>;
  /** OTLP/HTTP traces endpoint for Kong's opentelemetry plugin; unset: the plugin is left out. */
  kongTracesEndpoint?: string;
  kongTraceSamplingRate: number;
  /** HTTPS on the load balancer: an ACM certificate and the DNS name it is for (a CNAME to the ALB
   * is yours to create); both unset: plain HTTP on port 80 at the ALB's own name. */
  https?: { certificateArn: string; domainName: string };
  logLevel: string;
  /** An e-mail address subscribed to the CloudWatch alarms' SNS topic; unset: nobody is (subscribe later). */
  alarmEmail?: string;
}

const OTLP_PROTOCOLS = ["grpc", "http/protobuf", "http/json"] as const;

const DEFAULT_SIZING: RoleSizing = { cpu: 256, memory: 512, minCount: 2, maxCount: 6, cpuTarget: 60 };

/** Reads the stack configuration (Pulumi.<stack>.yaml); every key has a default except aws:region. */
export function readConfig(): StackConfig {
  const config = new pulumi.Config();
  const roleOverrides = config.getObject<Partial<Record<Role, Partial<RoleSizing>>>>("roles") ?? {};
  const unknown = Object.keys(roleOverrides).filter((role) => !(ROLES as readonly string[]).includes(role));
  if (unknown.length > 0) throw new Error(`roles: unknown role(s) ${unknown.join(", ")}; expected ${ROLES.join(", ")}`);

  const roles = Object.fromEntries(ROLES.map((role) => [role, checkSizing(role, { ...DEFAULT_SIZING, ...roleOverrides[role] })])) as Record<
    Role,
    RoleSizing
  >;

  return {
    roles,
    natGateways: oneOf(config.get("natGateways") ?? "OnePerAz", ["Single", "OnePerAz"] as const, "natGateways"),
    logRetentionDays: config.getNumber("logRetentionDays") ?? 30,
    deletionProtection: config.getBoolean("deletionProtection") ?? true,
    dbInstanceClass: config.get("dbInstanceClass") ?? "db.t4g.micro",
    dbEngineVersion: config.get("dbEngineVersion") ?? "17",
    dbAllocatedStorageGb: config.getNumber("dbAllocatedStorageGb") ?? 20,
    dbMultiAz: config.getBoolean("dbMultiAz") ?? false,
    mqInstanceType: config.get("mqInstanceType") ?? "mq.m5.large",
    mqEngineVersion: config.get("mqEngineVersion") ?? "3.13",
    mqDeploymentMode: oneOf(
      config.get("mqDeploymentMode") ?? "SINGLE_INSTANCE",
      ["SINGLE_INSTANCE", "CLUSTER_MULTI_AZ"] as const,
      "mqDeploymentMode",
    ),
    serviceDiscoveryNamespace: config.get("serviceDiscoveryNamespace") ?? "orders-invoices.internal",
    kongImage: config.get("kongImage") ?? "kong:3.9",
    ...readOtlp(config),
    kongTracesEndpoint: config.get("kongTracesEndpoint"),
    kongTraceSamplingRate: config.getNumber("kongTraceSamplingRate", { min: 0, max: 1 }) ?? 0.1,
    https: readHttps(config),
    logLevel: config.get("logLevel") ?? "info",
    alarmEmail: config.get("alarmEmail"),
  };
}

function readOtlp(
  config: pulumi.Config,
): Pick<StackConfig, "otelExporterOtlpEndpoint" | "otelExporterOtlpProtocol" | "otelExporterOtlpHeaders"> {
  const endpoint = config.get("otelExporterOtlpEndpoint");
  const headers = config.getSecret("otelExporterOtlpHeaders");
  if (headers && !endpoint) throw new Error("otelExporterOtlpHeaders needs otelExporterOtlpEndpoint");
  return {
    otelExporterOtlpEndpoint: endpoint,
    otelExporterOtlpProtocol: oneOf(config.get("otelExporterOtlpProtocol") ?? "grpc", OTLP_PROTOCOLS, "otelExporterOtlpProtocol"),
    otelExporterOtlpHeaders: headers,
  };
}

function readHttps(config: pulumi.Config): StackConfig["https"] {
  const certificateArn = config.get("certificateArn");
  const domainName = config.get("domainName");
  if (!certificateArn && !domainName) return undefined;
  if (!certificateArn || !domainName) throw new Error("certificateArn and domainName go together");
  return { certificateArn, domainName };
}

function checkSizing(role: Role, sizing: RoleSizing): RoleSizing {
  const { minCount, maxCount, cpuTarget } = sizing;
  if (!(minCount >= 1 && minCount <= maxCount)) {
    throw new Error(`roles.${role}: need 1 <= minCount <= maxCount, got ${minCount}..${maxCount}`);
  }
  if (!(cpuTarget > 0 && cpuTarget <= 100)) throw new Error(`roles.${role}.cpuTarget must be in (0, 100]`);
  return sizing;
}

function oneOf<T extends string>(value: string, allowed: readonly T[], key: string): T {
  if (!(allowed as readonly string[]).includes(value)) throw new Error(`${key} must be one of ${allowed.join(", ")}`);
  return value as T;
}
