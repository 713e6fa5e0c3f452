import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { Role, StackConfig } from "./config";
import { type InjectedSecret, RDS_CA_BUNDLE } from "./data";
import type { Edge } from "./edge";
import { kongDeclarativeConfig } from "./kong-config";
import { GATEWAY_PORT, KONG_PORT, type Network } from "./network";

/** What one role's container runs and receives. */
export interface RoleSpec {
  role: Role;
  image: pulumi.Input<string>;
  environment: Record<string, pulumi.Input<string>>;
  secrets: InjectedSecret[];
  port?: number;
  healthCheck: string[];
}

/** The Moleculer node roles: one image, `SERVICES` picks the services (README, Dockerfile). */
const NODE_SERVICES: Record<Exclude<Role, "kong">, string> = { gateway: "api", orders: "orders", invoices: "invoices" };

/** The image's health check (docker/healthcheck.js): /health for the gateway, the broker link otherwise. */
const NODE_HEALTH_CHECK = ["CMD", "node", "docker/healthcheck.js"];

export interface Platform {
  cluster: aws.ecs.Cluster;
  /** The gateway's Cloud Map service; Kong's upstream is `http://<name>.<namespace>:3000`. */
  gatewayDiscovery: aws.servicediscovery.Service;
  gatewayUrl: pulumi.Output<string>;
}

/** The ECS cluster and the private DNS name under which Kong finds the gateway. */
export function createPlatform(network: Network, config: StackConfig): Platform {
  const cluster = new aws.ecs.Cluster("cluster", { settings: [{ name: "containerInsights", value: "enabled" }] });
  const namespace = new aws.servicediscovery.PrivateDnsNamespace("internal", {
    name: config.serviceDiscoveryNamespace,
    vpc: network.vpcId,
  });
  const gatewayDiscovery = new aws.servicediscovery.Service("gateway", {
    name: "gateway",
    dnsConfig: {
      namespaceId: namespace.id,
      routingPolicy: "MULTIVALUE",
      // Short: Kong re-resolves soon after gateway tasks come and go.
      dnsRecords: [{ type: "A", ttl: 10 }],
    },
  });
  const gatewayUrl = pulumi.interpolate`http://${gatewayDiscovery.name}.${namespace.name}:${GATEWAY_PORT}`;
  return { cluster, gatewayDiscovery, gatewayUrl };
}

/** The three Moleculer roles: their image, environment and secrets (the OTLP headers, when set, to each). */
export function nodeRoleSpecs(
  image: pulumi.Input<string>,
  transporter: InjectedSecret,
  databases: { orders: InjectedSecret; invoices: InjectedSecret },
  config: StackConfig,
  otlpHeaders?: InjectedSecret,
): RoleSpec[] {
  const common = {
    NAMESPACE: "orders-invoices",
    LOG_LEVEL: config.logLevel,
    NODE_EXTRA_CA_CERTS: RDS_CA_BUNDLE,
    ...(config.otelExporterOtlpEndpoint
      ? { OTEL_EXPORTER_OTLP_ENDPOINT: config.otelExporterOtlpEndpoint, OTEL_EXPORTER_OTLP_PROTOCOL: config.otelExporterOtlpProtocol }
      : {}),
  };
  const spec = (role: Exclude<Role, "kong">, extra: Record<string, string>, secrets: InjectedSecret[]): RoleSpec => ({
    role,
    image,
    environment: { ...common, SERVICES: NODE_SERVICES[role], ...extra },
    secrets: [transporter, ...secrets, ...(otlpHeaders ? [otlpHeaders] : [])],
    healthCheck: NODE_HEALTH_CHECK,
  });
  return [
    { ...spec("gateway", { PORT: String(GATEWAY_PORT), HOST: "0.0.0.0" }, []), port: GATEWAY_PORT },
    spec("orders", {}, [databases.orders]),
    spec("invoices", {}, [databases.invoices]),
  ];
}

/** Kong, DB-less: kong/kong.yml with the gateway's Cloud Map name as upstream, passed in the environment. */
export function kongRoleSpec(platform: Platform, config: StackConfig): RoleSpec {
  const declarative = platform.gatewayUrl.apply((upstreamUrl) =>
    kongDeclarativeConfig({
      upstreamUrl,
      tracesEndpoint: config.kongTracesEndpoint,
      samplingRate: config.kongTraceSamplingRate,
    }),
  );
  return {
    role: "kong",
    image: config.kongImage,
    environment: {
      KONG_DATABASE: "off",
      KONG_DECLARATIVE_CONFIG_STRING: declarative,
      KONG_PROXY_LISTEN: `0.0.0.0:${KONG_PORT}`,
      // No admin API at all: configuration changes are deployments.
      KONG_ADMIN_LISTEN: "off",
      // Only the load balancer reaches Kong (security group), so its X-Forwarded-For is the client:
      // rate limiting then counts clients, not the load balancer's addresses.
      KONG_TRUSTED_IPS: "0.0.0.0/0,::/0",
      KONG_REAL_IP_HEADER: "X-Forwarded-For",
      KONG_PROXY_ACCESS_LOG: "/dev/stdout",
      KONG_PROXY_ERROR_LOG: "/dev/stderr",
      KONG_TRACING_INSTRUMENTATIONS: config.kongTracesEndpoint ? "all" : "off",
      KONG_TRACING_SAMPLING_RATE: String(config.kongTraceSamplingRate),
    },
    secrets: [],
    port: KONG_PORT,
    healthCheck: ["CMD", "kong", "health"],
  };
}

/**
 * One role on Fargate: log group, execution role (allowed to read exactly this role's secrets), task
 * definition, service in the private subnets, and CPU-target autoscaling between minCount and maxCount.
 */
export function createRoleService(spec: RoleSpec, platform: Platform, network: Network, edge: Edge, config: StackConfig): aws.ecs.Service {
  const { role } = spec;
  const sizing = config.roles[role];
  const logGroup = new aws.cloudwatch.LogGroup(role, {
    name: `/ecs/${pulumi.getProject()}-${pulumi.getStack()}/${role}`,
    retentionInDays: config.logRetentionDays,
  });

  const executionRole = new aws.iam.Role(`${role}-execution`, {
    assumeRolePolicy: aws.iam.assumeRolePolicyForPrincipal({ Service: "ecs-tasks.amazonaws.com" }),
  });
  new aws.iam.RolePolicyAttachment(`${role}-execution`, {
    role: executionRole.name,
    policyArn: aws.iam.ManagedPolicy.AmazonECSTaskExecutionRolePolicy,
  });
  if (spec.secrets.length > 0) {
    new aws.iam.RolePolicy(`${role}-secrets`, {
      role: executionRole.id,
      policy: pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: spec.secrets.map((s) => s.secret.arn) }],
      }),
    });
  }

  const container = {
    name: role,
    image: spec.image,
    essential: true,
    environment: Object.entries(spec.environment).map(([name, value]) => ({ name, value })),
    secrets: spec.secrets.map(({ name, secret }) => ({ name, valueFrom: secret.arn })),
    portMappings: spec.port ? [{ containerPort: spec.port, protocol: "tcp" }] : [],
    healthCheck: { command: spec.healthCheck, interval: 30, timeout: 5, retries: 3, startPeriod: 30 },
    // Moleculer finishes in-flight requests on SIGTERM (tracking.shutdownTimeout 10 s).
    stopTimeout: 30,
    logConfiguration: {
      logDriver: "awslogs",
      options: {
        "awslogs-group": logGroup.name,
        "awslogs-region": aws.getRegionOutput().region,
        "awslogs-stream-prefix": role,
      },
    },
  };
  const taskDefinition = new aws.ecs.TaskDefinition(
    role,
    {
      family: `${pulumi.getProject()}-${pulumi.getStack()}-${role}`,
      requiresCompatibilities: ["FARGATE"],
      networkMode: "awsvpc",
      cpu: String(sizing.cpu),
      memory: String(sizing.memory),
      runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "X86_64" },
      executionRoleArn: executionRole.arn,
      containerDefinitions: pulumi.jsonStringify([container]),
    },
    { dependsOn: spec.secrets.map((s) => s.version) },
  );

  const service = new aws.ecs.Service(
    role,
    {
      cluster: platform.cluster.arn,
      taskDefinition: taskDefinition.arn,
      launchType: "FARGATE",
      desiredCount: sizing.minCount,
      networkConfiguration: {
        subnets: network.privateSubnetIds,
        securityGroups: [network.taskSecurityGroup.id],
        assignPublicIp: false,
      },
      deploymentCircuitBreaker: { enable: true, rollback: true },
      ...(role === "kong"
        ? {
            loadBalancers: [{ targetGroupArn: edge.kongTargetGroup.arn, containerName: role, containerPort: KONG_PORT }],
            healthCheckGracePeriodSeconds: 60,
          }
        : {}),
      ...(role === "gateway" ? { serviceRegistries: { registryArn: platform.gatewayDiscovery.arn } } : {}),
    },
    // The autoscaler owns the task count after the first deployment.
    { ignoreChanges: ["desiredCount"], dependsOn: role === "kong" ? [edge.listener] : [] },
  );

  const target = new aws.appautoscaling.Target(role, {
    serviceNamespace: "ecs",
    scalableDimension: "ecs:service:DesiredCount",
    resourceId: pulumi.interpolate`service/${platform.cluster.name}/${service.name}`,
    minCapacity: sizing.minCount,
    maxCapacity: sizing.maxCount,
  });
  new aws.appautoscaling.Policy(`${role}-cpu`, {
    policyType: "TargetTrackingScaling",
    serviceNamespace: target.serviceNamespace,
    scalableDimension: target.scalableDimension,
    resourceId: target.resourceId,
    targetTrackingScalingPolicyConfiguration: {
      predefinedMetricSpecification: { predefinedMetricType: "ECSServiceAverageCPUUtilization" },
      targetValue: sizing.cpuTarget,
      scaleOutCooldown: 60,
      scaleInCooldown: 180,
    },
  });
  return service;
}
