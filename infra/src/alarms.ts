import * as aws from "@pulumi/aws";
import type { Role, StackConfig } from "./config";
import type { Edge } from "./edge";
import type { Platform } from "./services";

/** One-minute periods, five of them in a row: long enough to ride out a deployment's blip, short enough to page in time. */
const PERIOD = 60;
const WINDOW = { evaluationPeriods: 5, datapointsToAlarm: 5, treatMissingData: "notBreaching" } as const;

/**
 * What AWS itself can see of the system, as CloudWatch alarms on one SNS topic (an e-mail address may
 * subscribe: `alarmEmail`): the load balancer's 5xx ratio and p99 latency (the clients' view, like the
 * ServerErrorRatioHigh alert), and every ECS service running fewer tasks than it wants (tasks crashing
 * and restarting, like NodeDown). The business alerts (outbox, invoice lag) need the nodes' own
 * metrics: they run wherever Prometheus does (docker/prometheus/alerts.yml).
 */
export function createAlarms(edge: Edge, platform: Platform, services: Record<Role, aws.ecs.Service>, config: StackConfig): void {
  const topic = new aws.sns.Topic("alarms");
  if (config.alarmEmail)
    new aws.sns.TopicSubscription("alarms-email", { topic: topic.arn, protocol: "email", endpoint: config.alarmEmail });
  const actions = { alarmActions: [topic.arn], okActions: [topic.arn] };
  const alb = { LoadBalancer: edge.loadBalancer.arnSuffix };
  const albMetric = (id: string, metricName: string) => ({
    id,
    metric: { namespace: "AWS/ApplicationELB", metricName, dimensions: alb, period: PERIOD, stat: "Sum" },
  });

  new aws.cloudwatch.MetricAlarm("alb-5xx-ratio", {
    alarmDescription:
      "Over 5 % of the requests through the load balancer answered 5xx for five minutes (README: Alerts and their runbooks, ServerErrorRatioHigh)",
    comparisonOperator: "GreaterThanThreshold",
    threshold: 0.05,
    ...WINDOW,
    metricQueries: [
      albMetric("target5xx", "HTTPCode_Target_5XX_Count"),
      albMetric("elb5xx", "HTTPCode_ELB_5XX_Count"),
      albMetric("requests", "RequestCount"),
      { id: "ratio", expression: "(FILL(target5xx, 0) + FILL(elb5xx, 0)) / requests", label: "5xx ratio", returnData: true },
    ],
    ...actions,
  });

  new aws.cloudwatch.MetricAlarm("alb-latency-p99", {
    alarmDescription: "The 99th percentile of the load balancer's target response time is over two seconds for five minutes",
    namespace: "AWS/ApplicationELB",
    metricName: "TargetResponseTime",
    dimensions: alb,
    extendedStatistic: "p99",
    comparisonOperator: "GreaterThanThreshold",
    threshold: 2,
    period: PERIOD,
    ...WINDOW,
    ...actions,
  });

  for (const [role, service] of Object.entries(services)) {
    const dimensions = { ClusterName: platform.cluster.name, ServiceName: service.name };
    const insight = (id: string, metricName: string) => ({
      id,
      metric: { namespace: "ECS/ContainerInsights", metricName, dimensions, period: PERIOD, stat: "Average" },
    });
    new aws.cloudwatch.MetricAlarm(`${role}-tasks-missing`, {
      alarmDescription: `The ${role} service ran fewer tasks than it wants for five minutes: tasks are crashing and restarting, or cannot start (README: Alerts and their runbooks, NodeDown)`,
      comparisonOperator: "GreaterThanThreshold",
      threshold: 0,
      ...WINDOW,
      metricQueries: [
        insight("desired", "DesiredTaskCount"),
        insight("running", "RunningTaskCount"),
        { id: "missing", expression: "desired - running", label: "tasks missing", returnData: true },
      ],
      ...actions,
    });
  }
}
