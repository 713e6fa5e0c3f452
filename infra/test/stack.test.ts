import { existsSync } from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import { ROLES, type Role, type StackConfig } from "../src/config";
import { mockPassword, type Recorded, recordResources } from "./mocks";

const resources = recordResources();

// Imported after the mocks are installed.
import { createStack } from "../src/stack";

/** Distinct numbers per role, so a value wired to the wrong role shows. */
const config: StackConfig = {
  roles: {
    gateway: { cpu: 256, memory: 512, minCount: 2, maxCount: 5, cpuTarget: 55 },
    orders: { cpu: 512, memory: 1024, minCount: 2, maxCount: 7, cpuTarget: 65 },
    invoices: { cpu: 1024, memory: 2048, minCount: 1, maxCount: 3, cpuTarget: 70 },
    kong: { cpu: 512, memory: 1024, minCount: 2, maxCount: 4, cpuTarget: 50 },
  },
  natGateways: "OnePerAz",
  logRetentionDays: 14,
  deletionProtection: true,
  dbInstanceClass: "db.t4g.small",
  dbEngineVersion: "17",
  dbAllocatedStorageGb: 20,
  dbMultiAz: true,
  mqInstanceType: "mq.m5.large",
  mqEngineVersion: "3.13",
  mqDeploymentMode: "SINGLE_INSTANCE",
  serviceDiscoveryNamespace: "svc.test.internal",
  kongImage: "kong:3.9",
  otelExporterOtlpEndpoint: "https://otlp-gateway.example.grafana.net/otlp",
  otelExporterOtlpProtocol: "http/protobuf",
  otelExporterOtlpHeaders: pulumi.secret("Authorization=Basic MTIzNDU2OnRva2Vu"),
  kongTracesEndpoint: "http://collector.svc.test.internal:4318/v1/traces",
  kongTraceSamplingRate: 0.25,
  https: { certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/test", domainName: "api.example.com" },
  logLevel: "info",
  alarmEmail: "oncall@example.com",
};

let url: string;
beforeAll(async () => {
  const stack = createStack(config);
  url = await new Promise<string>((resolve) => stack.url.apply(resolve));
  await pulumi.runtime.disconnect(); // waits until every resource is registered
});

const ofType = (type: string) => resources.filter((r) => r.type === type);
const one = (type: string, name: string): Recorded => {
  const found = resources.filter((r) => r.type === type && r.name === name);
  expect(found.map((r) => `${r.type} ${r.name}`)).toEqual([`${type} ${name}`]);
  return found[0];
};
const arnOf = (r: Recorded) => `arn:aws:${r.type.split(":")[1].split("/")[0]}:eu-west-1:123456789012:${r.name}`;

const SG = "aws:ec2/securityGroup:SecurityGroup";
const TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition";
const SECRET = "aws:secretsmanager/secret:Secret";
const SECRET_VERSION = "aws:secretsmanager/secretVersion:SecretVersion";

interface Container {
  name: string;
  image: string;
  environment: { name: string; value: string }[];
  secrets: { name: string; valueFrom: string }[];
  portMappings: { containerPort: number }[];
  logConfiguration: { logDriver: string; options: Record<string, string> };
}
const containerOf = (role: Role): Container => {
  const containers = JSON.parse(one(TASK_DEFINITION, role).inputs.containerDefinitions) as Container[];
  expect(containers).toHaveLength(1);
  return containers[0];
};
const envOf = (role: Role) => Object.fromEntries(containerOf(role).environment.map((e) => [e.name, e.value]));

describe("public exposure", () => {
  it("spreads the VPC over two zones: public subnets, private ones for tasks, isolated ones for data", () => {
    const [vpc] = ofType("awsx:ec2:Vpc");
    expect(vpc.inputs).toMatchObject({ numberOfAvailabilityZones: 2, natGateways: { strategy: "OnePerAz" } });
    expect(vpc.inputs.subnetSpecs.map((spec: { type: string }) => spec.type)).toEqual(["Public", "Private", "Isolated"]);
  });

  it("admits traffic from the internet only through the load balancer's security group, on 80/443", () => {
    const worldRules = ofType(SG).flatMap((sg) =>
      (sg.inputs.ingress ?? [])
        .filter((rule: any) => rule.cidrBlocks?.includes("0.0.0.0/0") || rule.ipv6CidrBlocks?.includes("::/0"))
        .map((rule: any) => ({ sg: sg.name, port: rule.fromPort, toPort: rule.toPort })),
    );
    expect(worldRules).toEqual([
      { sg: "alb", port: 80, toPort: 80 },
      { sg: "alb", port: 443, toPort: 443 },
    ]);
    // Standalone rules would bypass the check above: the program has none.
    expect(resources.filter((r) => /securityGroupRule|SecurityGroupIngressRule/.test(r.type))).toEqual([]);
  });

  it("puts only the load balancer in public subnets, and it forwards to Kong alone", () => {
    const [alb] = ofType("aws:lb/loadBalancer:LoadBalancer");
    expect(alb.inputs).toMatchObject({ internal: false, subnets: ["subnet-public-a", "subnet-public-b"], securityGroups: ["sg-alb"] });
    const kongTargets = one("aws:lb/targetGroup:TargetGroup", "kong");
    expect(kongTargets.inputs).toMatchObject({ port: 8000, targetType: "ip" });
    for (const listener of ofType("aws:lb/listener:Listener")) {
      for (const action of listener.inputs.defaultActions) {
        if (action.type === "forward") expect(action.targetGroupArn).toBe(arnOf(kongTargets));
        else expect(action).toMatchObject({ type: "redirect", redirect: { protocol: "HTTPS" } });
      }
    }
    expect(url).toBe("https://api.example.com");
  });

  it("runs every task in private subnets without a public IP", () => {
    for (const service of ofType("aws:ecs/service:Service")) {
      expect(service.inputs.networkConfiguration).toEqual({
        subnets: ["subnet-private-a", "subnet-private-b"],
        securityGroups: ["sg-tasks"],
        assignPublicIp: false,
      });
    }
  });

  it("opens Kong to the load balancer and the gateway to the tasks, nothing else", () => {
    expect(one(SG, "tasks").inputs.ingress).toEqual([
      expect.objectContaining({ fromPort: 8000, toPort: 8000, securityGroups: ["sg-alb"] }),
      expect.objectContaining({ fromPort: 3000, toPort: 3000, self: true }),
    ]);
    expect(envOf("kong").KONG_ADMIN_LISTEN).toBe("off");
  });
});

describe("databases and broker", () => {
  const reachableOnlyFromTasks = (sgName: string, port: number) => {
    const rules = one(SG, sgName).inputs.ingress;
    expect(rules).toEqual([expect.objectContaining({ protocol: "tcp", fromPort: port, toPort: port, securityGroups: ["sg-tasks"] })]);
    expect(rules[0].cidrBlocks ?? []).toEqual([]);
    expect(rules[0].self ?? false).toBe(false);
  };

  it("keeps one private, encrypted PostgreSQL per service, reachable only from the tasks", () => {
    const dbs = ofType("aws:rds/instance:Instance");
    expect(dbs.map((db) => db.inputs.dbName).sort()).toEqual(["invoices", "orders"]);
    for (const db of dbs) {
      expect(db.inputs).toMatchObject({
        publiclyAccessible: false,
        storageEncrypted: true,
        deletionProtection: true,
        multiAz: true,
        vpcSecurityGroupIds: ["sg-databases"],
      });
    }
    expect(ofType("aws:rds/subnetGroup:SubnetGroup").map((g) => g.inputs.subnetIds)).toEqual([["subnet-isolated-a", "subnet-isolated-b"]]);
    reachableOnlyFromTasks("databases", 5432);
  });

  it("runs RabbitMQ on Amazon MQ, private, AMQPS only, reachable only from the tasks", () => {
    const [broker] = ofType("aws:mq/broker:Broker");
    expect(broker.inputs).toMatchObject({
      engineType: "RabbitMQ",
      publiclyAccessible: false,
      securityGroups: ["sg-broker"],
      subnetIds: ["subnet-isolated-a"],
    });
    reachableOnlyFromTasks("broker", 5671);
  });
});

describe("secrets", () => {
  it("stores connection URLs with generated credentials in Secrets Manager, marked secret in the state", () => {
    const secretIds = ofType(SECRET).map((s) => s.id);
    const versions = ofType(SECRET_VERSION);
    expect(versions.map((v) => v.inputs.secretId).sort()).toEqual(secretIds.sort());
    // Pulumi hands secret inputs to providers wrapped as { <secret signature>, value }.
    const values = versions.map((v) => {
      expect(v.inputs.secretString).toEqual({ [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig, value: expect.any(String) });
      return v.inputs.secretString.value as string;
    });
    expect(values.sort()).toEqual([
      "Authorization=Basic MTIzNDU2OnRva2Vu",
      `amqps://app:${mockPassword("broker")}@b-broker.mq.eu-west-1.on.aws:5671`,
      `postgres://app:${mockPassword("invoices-db")}@invoices-db.abc.eu-west-1.rds.amazonaws.com:5432/invoices?sslmode=verify-full`,
      `postgres://app:${mockPassword("orders-db")}@orders-db.abc.eu-west-1.rds.amazonaws.com:5432/orders?sslmode=verify-full`,
    ]);
  });

  it("gives every task definition its credentials as ECS secrets from Secrets Manager, never as plain env", () => {
    const secretArns = new Map(ofType(SECRET).map((s) => [arnOf(s), s]));
    const passwords = ofType("random:index/randomPassword:RandomPassword").map((p) => mockPassword(p.name));
    expect(passwords).toHaveLength(3);
    const expected: Record<Role, string[]> = {
      gateway: ["TRANSPORTER", "OTEL_EXPORTER_OTLP_HEADERS"],
      orders: ["TRANSPORTER", "ORDERS_DATABASE_URL", "OTEL_EXPORTER_OTLP_HEADERS"],
      invoices: ["TRANSPORTER", "INVOICES_DATABASE_URL", "OTEL_EXPORTER_OTLP_HEADERS"],
      kong: [],
    };
    for (const role of ROLES) {
      const container = containerOf(role);
      expect(container.secrets.map((s) => s.name)).toEqual(expected[role]);
      for (const { valueFrom } of container.secrets) expect(secretArns.has(valueFrom)).toBe(true);
      for (const { name, value } of container.environment) {
        expect(name).not.toMatch(/TRANSPORTER|DATABASE_URL|PASSWORD|HEADERS/);
        for (const password of passwords) expect(value).not.toContain(password);
        expect(value).not.toContain("MTIzNDU2OnRva2Vu");
      }
    }
  });

  it("lets each role's execution role read exactly its own secrets", () => {
    for (const role of ROLES) {
      const wanted = containerOf(role).secrets.map((s) => s.valueFrom);
      const executionRole = one("aws:iam/role:Role", `${role}-execution`);
      expect(one(TASK_DEFINITION, role).inputs.executionRoleArn).toBe(arnOf(executionRole));
      const policies = ofType("aws:iam/rolePolicy:RolePolicy").filter((p) => p.name === `${role}-secrets`);
      const granted = policies.flatMap((p) => JSON.parse(p.inputs.policy).Statement.flatMap((s: any) => s.Resource));
      expect(granted).toEqual(wanted);
    }
  });
});

describe("roles", () => {
  it("gives each role a Fargate service sized from config, with CPU-target autoscaling", () => {
    const cluster = one("aws:ecs/cluster:Cluster", "cluster");
    for (const role of ROLES) {
      const sizing = config.roles[role];
      const taskDefinition = one(TASK_DEFINITION, role);
      expect(taskDefinition.inputs).toMatchObject({
        cpu: String(sizing.cpu),
        memory: String(sizing.memory),
        requiresCompatibilities: ["FARGATE"],
        networkMode: "awsvpc",
      });
      const service = one("aws:ecs/service:Service", role);
      expect(service.inputs).toMatchObject({
        cluster: arnOf(cluster),
        taskDefinition: arnOf(taskDefinition),
        launchType: "FARGATE",
        desiredCount: sizing.minCount,
      });
      const target = one("aws:appautoscaling/target:Target", role);
      expect(target.inputs).toMatchObject({
        resourceId: `service/cluster/${role}`,
        scalableDimension: "ecs:service:DesiredCount",
        minCapacity: sizing.minCount,
        maxCapacity: sizing.maxCount,
      });
      const policy = one("aws:appautoscaling/policy:Policy", `${role}-cpu`);
      expect(policy.inputs).toMatchObject({
        policyType: "TargetTrackingScaling",
        resourceId: `service/cluster/${role}`,
        targetTrackingScalingPolicyConfiguration: {
          predefinedMetricSpecification: { predefinedMetricType: "ECSServiceAverageCPUUtilization" },
          targetValue: sizing.cpuTarget,
        },
      });
    }
  });

  it("runs the one image with SERVICES picking each Moleculer role", () => {
    const [image] = ofType("awsx:ecr:Image");
    expect(existsSync(image.inputs.dockerfile)).toBe(true);
    const services: Record<string, string> = { gateway: "api", orders: "orders", invoices: "invoices" };
    for (const [role, value] of Object.entries(services)) {
      expect(containerOf(role as Role).image).toBe("123456789012.dkr.ecr.eu-west-1.amazonaws.com/app@sha256:abc");
      expect(envOf(role as Role)).toMatchObject({
        SERVICES: value,
        OTEL_EXPORTER_OTLP_ENDPOINT: config.otelExporterOtlpEndpoint,
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf",
        NODE_EXTRA_CA_CERTS: "/etc/ssl/certs/rds-global-bundle.pem",
      });
    }
  });

  it("sends each role's logs to its own CloudWatch log group with retention", () => {
    for (const role of ROLES) {
      const logGroup = one("aws:cloudwatch/logGroup:LogGroup", role);
      expect(logGroup.inputs.retentionInDays).toBe(14);
      expect(containerOf(role).logConfiguration).toEqual({
        logDriver: "awslogs",
        options: { "awslogs-group": logGroup.inputs.name, "awslogs-region": "eu-west-1", "awslogs-stream-prefix": role },
      });
    }
  });
});

describe("Kong", () => {
  const kongConfig = () => JSON.parse(envOf("kong").KONG_DECLARATIVE_CONFIG_STRING);

  it("points its upstream at the gateway's Cloud Map name and port", () => {
    const discovery = one("aws:servicediscovery/service:Service", "gateway");
    const namespace = one("aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace", "internal");
    expect(discovery.inputs.dnsConfig.namespaceId).toBe(namespace.id);
    expect(one("aws:ecs/service:Service", "gateway").inputs.serviceRegistries).toEqual({ registryArn: arnOf(discovery) });
    const gatewayPort = containerOf("gateway").portMappings[0].containerPort;
    expect(envOf("gateway").PORT).toBe(String(gatewayPort));

    const services = kongConfig().services;
    expect(services).toHaveLength(1);
    expect(services[0].url).toBe(`http://${discovery.inputs.name}.${namespace.inputs.name}:${gatewayPort}`);
  });

  it("sits behind the load balancer's target group on its proxy port", () => {
    expect(one("aws:ecs/service:Service", "kong").inputs.loadBalancers).toEqual([
      { targetGroupArn: arnOf(one("aws:lb/targetGroup:TargetGroup", "kong")), containerName: "kong", containerPort: 8000 },
    ]);
    expect(containerOf("kong").portMappings).toEqual([{ containerPort: 8000, protocol: "tcp" }]);
    expect(envOf("kong").KONG_PROXY_LISTEN).toBe("0.0.0.0:8000");
  });

  it("traces to the configured OTLP/HTTP endpoint at the configured rate", () => {
    const tracing = kongConfig().plugins.find((p: { name: string }) => p.name === "opentelemetry");
    expect(tracing.config).toMatchObject({ traces_endpoint: config.kongTracesEndpoint, sampling_rate: 0.25 });
  });
});

describe("CloudWatch alarms", () => {
  const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
  const topic = () => one("aws:sns/topic:Topic", "alarms");

  it("send every alarm, and its recovery, to one SNS topic the configured address subscribes to", () => {
    const alarms = ofType(ALARM);
    expect(alarms.map((alarm) => alarm.name).sort()).toEqual(
      ["alb-5xx-ratio", "alb-latency-p99", ...["gateway", "orders", "invoices", "kong"].map((role) => `${role}-tasks-missing`)].sort(),
    );
    for (const alarm of alarms) {
      expect(alarm.inputs.alarmActions).toEqual([arnOf(topic())]);
      expect(alarm.inputs.okActions).toEqual([arnOf(topic())]);
    }
    expect(one("aws:sns/topicSubscription:TopicSubscription", "alarms-email").inputs).toMatchObject({
      topic: arnOf(topic()),
      protocol: "email",
      endpoint: "oncall@example.com",
    });
  });

  it("watch the load balancer's 5xx ratio, 5xx of its own and of the targets, over its requests", () => {
    const ratio = one(ALARM, "alb-5xx-ratio").inputs;
    expect(ratio).toMatchObject({ comparisonOperator: "GreaterThanThreshold", threshold: 0.05, evaluationPeriods: 5 });
    const queries = Object.fromEntries(ratio.metricQueries.map((q: { id: string }) => [q.id, q]));
    for (const [id, metricName] of [
      ["target5xx", "HTTPCode_Target_5XX_Count"],
      ["elb5xx", "HTTPCode_ELB_5XX_Count"],
      ["requests", "RequestCount"],
    ]) {
      expect(queries[id].metric).toMatchObject({
        namespace: "AWS/ApplicationELB",
        metricName,
        stat: "Sum",
        dimensions: { LoadBalancer: "app/public/123" },
      });
    }
    expect(queries.ratio).toMatchObject({ expression: "(FILL(target5xx, 0) + FILL(elb5xx, 0)) / requests", returnData: true });
  });

  it("watch the load balancer's p99 response time", () => {
    expect(one(ALARM, "alb-latency-p99").inputs).toMatchObject({
      namespace: "AWS/ApplicationELB",
      metricName: "TargetResponseTime",
      extendedStatistic: "p99",
      threshold: 2,
      dimensions: { LoadBalancer: "app/public/123" },
    });
  });

  it("watch each service for fewer running tasks than it wants, with the cluster's Container Insights", () => {
    expect(one("aws:ecs/cluster:Cluster", "cluster").inputs.settings).toContainEqual({ name: "containerInsights", value: "enabled" });
    for (const role of ["gateway", "orders", "invoices", "kong"]) {
      const queries = one(ALARM, `${role}-tasks-missing`).inputs.metricQueries;
      const service = one("aws:ecs/service:Service", role);
      for (const metricName of ["DesiredTaskCount", "RunningTaskCount"]) {
        const query = queries.find((q: { metric?: { metricName: string } }) => q.metric?.metricName === metricName);
        expect(query.metric).toMatchObject({
          namespace: "ECS/ContainerInsights",
          dimensions: { ServiceName: service.inputs.name ?? role },
        });
      }
      expect(queries.find((q: { returnData?: boolean }) => q.returnData).expression).toBe("desired - running");
    }
  });
});
