import { ServiceBroker } from "moleculer";
import { ORDER_CREATED } from "../../contracts/events/order-created";
import { unreachableConsumers } from "../../mixins/event-consumers";

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
