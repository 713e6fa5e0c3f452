import { ServiceBroker } from "moleculer";
import { ORDER_CREATED } from "../../contracts/events/order-created";
import { groupsServedBy, type NodeInfo, unreachableConsumers } from "../../mixins/messaging/event-consumers";

describe("unreachableConsumers", () => {
  let broker: ServiceBroker;

  beforeEach(() => {
    broker = new ServiceBroker({ logger: false });
  });

  afterEach(() => broker.stop());

  it("names each consumer group of an event that no known service listens as", async () => {
    broker.createService({ name: "audit", events: { "order.created"() {} } });
    await broker.start();
    expect(unreachableConsumers(broker, [ORDER_CREATED])).toEqual(["order.created → invoices"]);
  });

  it("is empty once the consumer group is known", async () => {
    broker.createService({ name: "invoices", events: { "order.created"() {} } });
    await broker.start();
    expect(unreachableConsumers(broker, [ORDER_CREATED])).toEqual([]);
  });
});

describe("groupsServedBy", () => {
  it("lists the groups of a node's event handlers as its INFO describes them: the service's name unless one is named", async () => {
    const broker = new ServiceBroker({ nodeID: "consumer", logger: false });
    broker.createService({ name: "invoices", events: { "order.created"() {}, "order.cancelled"() {}, "$node.connected"() {} } });
    broker.createService({ name: "audit", events: { "order.created": { group: "reporting", handler() {} } } });
    broker.createService({ name: "api", events: { "$services.changed"() {} }, actions: { hello() {} } });
    await broker.start();
    try {
      // What the other nodes receive in this node's INFO packet.
      const { services } = broker.registry.getLocalNodeInfo(true) as unknown as NodeInfo;
      expect(groupsServedBy({ id: "consumer", services }).sort()).toEqual(["invoices", "reporting"]);
    } finally {
      await broker.stop();
    }
  });

  it("is empty for a node with no services, or only Moleculer's own", () => {
    expect(groupsServedBy({ id: "repl" })).toEqual([]);
    expect(groupsServedBy({ id: "tester", services: [{ name: "$node", events: {} }] })).toEqual([]);
  });
});
