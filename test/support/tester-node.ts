import { ServiceBroker } from "moleculer";
import type { Cluster } from "./cluster";

/** A bare Moleculer node of the test's own in the cluster: to call internal actions or inject events. */
export async function joinCluster(cluster: Cluster): Promise<ServiceBroker> {
  const broker = new ServiceBroker({
    namespace: cluster.env.NAMESPACE,
    nodeID: `tester-${cluster.id}`,
    transporter: cluster.env.TRANSPORTER ? { type: "AMQP", options: { url: cluster.env.TRANSPORTER, prefetch: 100 } } : { type: "TCP" },
    logger: false,
  });
  await broker.start();
  await broker.waitForServices(["orders", "invoices"], 30_000);
  return broker;
}
