import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { StackConfig } from "./config";
import { AMQPS_PORT, type Network } from "./network";

/** A credential the tasks receive as an ECS secret: its Secrets Manager ARN, never its value. */
export interface InjectedSecret {
  /** The environment variable the container sees. */
  name: string;
  secret: aws.secretsmanager.Secret;
  /** The stored value; ECS can only start tasks once it exists. */
  version: aws.secretsmanager.SecretVersion;
}

/** Where the image keeps RDS's CA bundle (see the Dockerfile), for sslmode=verify-full. */
export const RDS_CA_BUNDLE = "/etc/ssl/certs/rds-global-bundle.pem";

const APP_USER = "app";

/** Stores a value in Secrets Manager; Pulumi keeps it encrypted in the state as well. */
function storedSecret(name: string, envName: string, value: pulumi.Output<string>): InjectedSecret {
  const secret = new aws.secretsmanager.Secret(name, { description: `${envName} of orders-invoices` });
  const version = new aws.secretsmanager.SecretVersion(name, {
    secretId: secret.id,
    secretString: pulumi.secret(value),
  });
  return { name: envName, secret, version };
}

/** The headers of the nodes' OTLP exporters (a managed backend's API key) as OTEL_EXPORTER_OTLP_HEADERS. */
export function createOtlpHeadersSecret(headers: pulumi.Output<string>): InjectedSecret {
  return storedSecret("otlp-headers", "OTEL_EXPORTER_OTLP_HEADERS", headers);
}

/** Generated passwords: letters and digits only, valid in a URL and for RDS and Amazon MQ alike. */
function password(name: string): random.RandomPassword {
  return new random.RandomPassword(name, { length: 32, special: false });
}

/** One PostgreSQL instance per service, private and encrypted; its URL as a secret. */
export function createDatabase(
  service: "orders" | "invoices",
  subnetGroup: aws.rds.SubnetGroup,
  network: Network,
  config: StackConfig,
): InjectedSecret {
  const dbPassword = password(`${service}-db`);
  const db = new aws.rds.Instance(`${service}-db`, {
    engine: "postgres",
    engineVersion: config.dbEngineVersion,
    instanceClass: config.dbInstanceClass,
    allocatedStorage: config.dbAllocatedStorageGb,
    storageType: "gp3",
    storageEncrypted: true,
    dbName: service,
    username: APP_USER,
    password: dbPassword.result,
    dbSubnetGroupName: subnetGroup.name,
    vpcSecurityGroupIds: [network.databaseSecurityGroup.id],
    publiclyAccessible: false,
    multiAz: config.dbMultiAz,
    backupRetentionPeriod: 7,
    deletionProtection: config.deletionProtection,
    skipFinalSnapshot: !config.deletionProtection,
    finalSnapshotIdentifier: config.deletionProtection ? `${pulumi.getProject()}-${pulumi.getStack()}-${service}-final` : undefined,
    copyTagsToSnapshot: true,
  });
  // RDS enforces TLS (rds.force_ssl); the image trusts RDS's CA through NODE_EXTRA_CA_CERTS.
  const url = pulumi.interpolate`postgres://${APP_USER}:${dbPassword.result}@${db.address}:${db.port}/${service}?sslmode=verify-full`;
  return storedSecret(`${service}-database-url`, `${service.toUpperCase()}_DATABASE_URL`, url);
}

export function createDatabaseSubnetGroup(network: Network): aws.rds.SubnetGroup {
  return new aws.rds.SubnetGroup("databases", { subnetIds: network.isolatedSubnetIds });
}

/** Amazon MQ for RabbitMQ, private, AMQPS only; the nodes' TRANSPORTER URL as a secret. */
export function createBroker(network: Network, config: StackConfig): InjectedSecret {
  const brokerPassword = password("broker");
  const singleInstance = config.mqDeploymentMode === "SINGLE_INSTANCE";
  const broker = new aws.mq.Broker("broker", {
    engineType: "RabbitMQ",
    engineVersion: config.mqEngineVersion,
    hostInstanceType: config.mqInstanceType,
    deploymentMode: config.mqDeploymentMode,
    autoMinorVersionUpgrade: true,
    publiclyAccessible: false,
    subnetIds: singleInstance ? network.isolatedSubnetIds.apply((ids) => ids.slice(0, 1)) : network.isolatedSubnetIds,
    securityGroups: [network.brokerSecurityGroup.id],
    users: [{ username: APP_USER, password: brokerPassword.result }],
    logs: { general: true },
  });
  // Amazon MQ publishes amqps://<host>:5671; the URL the transporter needs carries the credentials.
  const url = pulumi.all([broker.instances, brokerPassword.result]).apply(([instances, pass]) => {
    const endpoint = new URL(instances[0].endpoints[0]);
    return `amqps://${APP_USER}:${pass}@${endpoint.hostname}:${AMQPS_PORT}`;
  });
  return storedSecret("transporter-url", "TRANSPORTER", url);
}
