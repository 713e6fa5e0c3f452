import { ServiceBroker } from "moleculer";
import type { Cluster } from "./cluster";

/**
 * A bare Moleculer node of the test's own in the cluster (no service, so no consumer group): to call
 * internal actions or inject events. It is started once the services `waitFor` are available.
 */
export async function joinCluster(cluster: Cluster, { waitFor = ["orders", "invoices"] } = {}): Promise<ServiceBroker> {
  const broker = new ServiceBroker({
    namespace: cluster.env.NAMESPACE,
    nodeID: `tester-${cluster.id}`,
    transporter: cluster.env.TRANSPORTER ? { type: "AMQP", options: { url: cluster.env.TRANSPORTER, prefetch: 100 } } : { type: "TCP" },
    logger: false,
  });
  await broker.start();
  await broker.waitForServices(waitFor, 30_000);
  return broker;
}
