import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "./config";
import { KONG_PORT, type Network } from "./network";

export interface Edge {
  loadBalancer: aws.lb.LoadBalancer;
  kongTargetGroup: aws.lb.TargetGroup;
  /** The listener that forwards to Kong; the Kong service waits for it. */
  listener: aws.lb.Listener;
  url: pulumi.Output<string>;
}

/** The public Application Load Balancer: the system's only entry, forwarding to Kong's proxy port. */
export function createEdge(network: Network, config: StackConfig): Edge {
  const alb = new aws.lb.LoadBalancer("public", {
    loadBalancerType: "application",
    internal: false,
    subnets: network.publicSubnetIds,
    securityGroups: [network.albSecurityGroup.id],
    dropInvalidHeaderFields: true,
  });

  const kongTargetGroup = new aws.lb.TargetGroup("kong", {
    vpcId: network.vpcId,
    targetType: "ip", // Fargate tasks register by IP (awsvpc).
    protocol: "HTTP",
    port: KONG_PORT,
    deregistrationDelay: 30,
    // Through Kong to the gateway's liveness route: a Kong task is healthy when it can serve the API.
    healthCheck: { path: "/health", matcher: "200", interval: 15, healthyThreshold: 2, unhealthyThreshold: 3 },
  });
  const forward = [{ type: "forward", targetGroupArn: kongTargetGroup.arn }];

  if (!config.https) {
    const listener = new aws.lb.Listener("http", {
      loadBalancerArn: alb.arn,
      port: 80,
      protocol: "HTTP",
      defaultActions: forward,
    });
    return { loadBalancer: alb, kongTargetGroup, listener, url: pulumi.interpolate`http://${alb.dnsName}` };
  }

  const listener = new aws.lb.Listener("https", {
    loadBalancerArn: alb.arn,
    port: 443,
    protocol: "HTTPS",
    sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
    certificateArn: config.https.certificateArn,
    defaultActions: forward,
  });
  new aws.lb.Listener("http-to-https", {
    loadBalancerArn: alb.arn,
    port: 80,
    protocol: "HTTP",
    defaultActions: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }],
  });
  return { loadBalancer: alb, kongTargetGroup, listener, url: pulumi.output(`https://${config.https.domainName}`) };
}
