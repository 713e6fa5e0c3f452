import * as pulumi from "@pulumi/pulumi";

/** A resource as the program registered it: resolved inputs, as the AWS provider would receive them. */
export interface Recorded {
  type: string;
  name: string;
  id: string;
  inputs: Record<string, any>;
}

/** The value every generated password takes under the mocks, so tests can look for leaks. */
export const mockPassword = (name: string) => `mockpw${name.replace(/\W/g, "")}`;

/** What the cloud would compute for the few outputs the program reads back. */
function computedOutputs(type: string, name: string, inputs: Record<string, any>): Record<string, unknown> {
  switch (type) {
    case "awsx:ec2:Vpc":
      return {
        vpcId: "vpc-1",
        publicSubnetIds: ["subnet-public-a", "subnet-public-b"],
        privateSubnetIds: ["subnet-private-a", "subnet-private-b"],
        isolatedSubnetIds: ["subnet-isolated-a", "subnet-isolated-b"],
      };
    case "awsx:ecr:Image":
      return { imageUri: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app@sha256:abc" };
    case "aws:ecr/repository:Repository":
      return { repositoryUrl: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app" };
    case "random:index/randomPassword:RandomPassword":
      return { result: mockPassword(name) };
    case "aws:rds/instance:Instance":
      return { address: `${name}.abc.eu-west-1.rds.amazonaws.com`, port: 5432 };
    case "aws:mq/broker:Broker":
      return { instances: [{ endpoints: [`amqps://b-${name}.mq.eu-west-1.on.aws:5671`] }] };
    case "aws:lb/loadBalancer:LoadBalancer":
      return { dnsName: `${name}-123.eu-west-1.elb.amazonaws.com`, arnSuffix: `app/${name}/123` };
    default:
      return { name: inputs.name ?? name };
  }
}

/** Installs Pulumi's mocks (no CLI, no AWS) and returns the list every registered resource lands in. */
export function recordResources(): Recorded[] {
  const resources: Recorded[] = [];
  pulumi.runtime.setMocks(
    {
      newResource({ type, name, inputs }) {
        const id = type === "aws:ec2/securityGroup:SecurityGroup" ? `sg-${name}` : `${name}-id`;
        resources.push({ type, name, id, inputs });
        const arn = `arn:aws:${type.split(":")[1].split("/")[0]}:eu-west-1:123456789012:${name}`;
        return { id, state: { ...inputs, arn, ...computedOutputs(type, name, inputs) } };
      },
      call({ token, inputs }) {
        if (token === "aws:index/getRegion:getRegion") return { region: "eu-west-1", name: "eu-west-1" };
        return inputs;
      },
    },
    "orders-invoices",
    "test",
    false,
  );
  return resources;
}
