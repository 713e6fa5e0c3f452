import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";
import type * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "./config";

export const KONG_PORT = 8000;
export const GATEWAY_PORT = 3000;
export const POSTGRES_PORT = 5432;
export const AMQPS_PORT = 5671;

export interface Network {
  vpcId: pulumi.Output<string>;
  /** The load balancer's subnets: the only ones with a route from the internet. */
  publicSubnetIds: pulumi.Output<string[]>;
  /** Fargate tasks: outbound through NAT (ECR, Docker Hub, Secrets Manager, CloudWatch). */
  privateSubnetIds: pulumi.Output<string[]>;
  /** Databases and broker: no route to or from the internet at all. */
  isolatedSubnetIds: pulumi.Output<string[]>;
  albSecurityGroup: aws.ec2.SecurityGroup;
  taskSecurityGroup: aws.ec2.SecurityGroup;
  databaseSecurityGroup: aws.ec2.SecurityGroup;
  brokerSecurityGroup: aws.ec2.SecurityGroup;
}

const ANYWHERE = { cidrBlocks: ["0.0.0.0/0"], ipv6CidrBlocks: ["::/0"] };
const ALL_OUTBOUND = [{ protocol: "-1", fromPort: 0, toPort: 0, ...ANYWHERE }];

/**
 * A VPC over two availability zones and the security groups that make the load balancer the only
 * public entry: internet → ALB → Kong → gateway; tasks → databases and broker; nothing else inbound.
 */
export function createNetwork(config: StackConfig): Network {
  const vpc = new awsx.ec2.Vpc("vpc", {
    numberOfAvailabilityZones: 2,
    enableDnsHostnames: true, // Cloud Map and RDS endpoints are private DNS names.
    natGateways: { strategy: config.natGateways },
    subnetStrategy: awsx.ec2.SubnetAllocationStrategy.Auto,
    subnetSpecs: [
      { type: awsx.ec2.SubnetType.Public, cidrMask: 24 },
      { type: awsx.ec2.SubnetType.Private, cidrMask: 20 },
      { type: awsx.ec2.SubnetType.Isolated, cidrMask: 24 },
    ],
  });

  const albSecurityGroup = new aws.ec2.SecurityGroup("alb", {
    vpcId: vpc.vpcId,
    description: "Public entry: HTTP(S) from the internet to the load balancer",
    ingress: [
      { description: "HTTP", protocol: "tcp", fromPort: 80, toPort: 80, ...ANYWHERE },
      ...(config.https ? [{ description: "HTTPS", protocol: "tcp", fromPort: 443, toPort: 443, ...ANYWHERE }] : []),
    ],
    egress: ALL_OUTBOUND,
  });

  // All Fargate tasks share this group. Kong accepts only the load balancer; the gateway only other
  // tasks (Kong). Orders and invoices listen on nothing: they meet the others through the broker.
  const taskSecurityGroup = new aws.ec2.SecurityGroup("tasks", {
    vpcId: vpc.vpcId,
    description: "Fargate tasks: Kong from the load balancer, the gateway from Kong",
    ingress: [
      {
        description: "Kong proxy from the load balancer",
        protocol: "tcp",
        fromPort: KONG_PORT,
        toPort: KONG_PORT,
        securityGroups: [albSecurityGroup.id],
      },
      { description: "Gateway from Kong", protocol: "tcp", fromPort: GATEWAY_PORT, toPort: GATEWAY_PORT, self: true },
    ],
    egress: ALL_OUTBOUND,
  });

  const fromTasksOnly = (name: string, description: string, port: number) =>
    new aws.ec2.SecurityGroup(name, {
      vpcId: vpc.vpcId,
      description,
      ingress: [{ description, protocol: "tcp", fromPort: port, toPort: port, securityGroups: [taskSecurityGroup.id] }],
      // Data stores answer; they open no connections of their own.
      egress: [],
    });

  return {
    vpcId: vpc.vpcId,
    publicSubnetIds: vpc.publicSubnetIds,
    privateSubnetIds: vpc.privateSubnetIds,
    isolatedSubnetIds: vpc.isolatedSubnetIds,
    albSecurityGroup,
    taskSecurityGroup,
    databaseSecurityGroup: fromTasksOnly("databases", "PostgreSQL from the Fargate tasks", POSTGRES_PORT),
    brokerSecurityGroup: fromTasksOnly("broker", "AMQPS from the Fargate tasks", AMQPS_PORT),
  };
}
