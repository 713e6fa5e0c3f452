import { Errors, ServiceBroker, type BrokerOptions } from "moleculer";
import { packetLimit } from "../../mixins/packet-limit.middleware";
import { boundedBatches, checkPagesFit, transportLimits } from "../../mixins/transport-limits";

describe("transportLimits", () => {
  it("is 16 MiB per packet unless set, batches of at most 1 MiB, and room for Moleculer's own fields", () => {
    expect(transportLimits({})).toEqual({ maxPacketBytes: 16_777_216, batchBytes: 1_048_576, maxMessageBytes: 16_777_216 - 65_536 });
    expect(transportLimits({ TRANSPORT_MAX_PACKET_BYTES: "2097152" })).toEqual({ maxPacketBytes: 2_097_152, batchBytes: 524_288, maxMessageBytes: 2_031_616 });
    expect(() => transportLimits({ TRANSPORT_MAX_PACKET_BYTES: "16MB" })).toThrow("TRANSPORT_MAX_PACKET_BYTES must be a whole number");
    expect(() => transportLimits({ TRANSPORT_MAX_PACKET_BYTES: "1000" })).toThrow("of at least 1048576");
  });

  it("stops a node whose body limit allows a list page larger than a packet", () => {
    expect(() => checkPagesFit(transportLimits({}), 64 * 1024, 100)).not.toThrow();
    expect(() => checkPagesFit(transportLimits({}), 1024 * 1024, 100)).toThrow(/lower BODY_LIMIT or raise TRANSPORT_MAX_PACKET_BYTES/);
  });
});

describe("boundedBatches", () => {
  it("keeps order, cuts at the count or the bytes, and lets an oversized item go alone", () => {
    expect(boundedBatches([1, 1, 1, 5, 2, 2, 9, 1], (n) => n, 3, 4)).toEqual([[1, 1, 1], [5], [2, 2], [9], [1]]);
    expect(boundedBatches([], (n: number) => n, 3, 4)).toEqual([]);
  });
});

describe("packetLimit", () => {
  let caller: ServiceBroker;
  let callee: ServiceBroker;

  beforeEach(async () => {
    const common: BrokerOptions = { logger: false, transporter: "Fake", namespace: `limit-${Date.now()}`, middlewares: [packetLimit(4_096)] };
    caller = new ServiceBroker({ ...common, nodeID: "caller" });
    callee = new ServiceBroker({ ...common, nodeID: "callee" });
    callee.createService({
      name: "pages",
      actions: { page: (ctx) => "x".repeat((ctx.params as { size: number }).size) },
      events: { "page.seen": () => undefined },
    });
    await Promise.all([caller.start(), callee.start()]);
    await caller.waitForServices("pages");
  });

  afterEach(() => Promise.all([caller.stop(), callee.stop()]));

  it("passes what fits", async () => {
    expect(await caller.call("pages.page", { size: 100 })).toHaveLength(100);
  });

  it("answers a reply too large with an error at once, instead of sending it", async () => {
    const error = await caller.call("pages.page", { size: 10_000 }, { timeout: 5_000 }).catch((err) => err);
    expect(error).toBeInstanceOf(Errors.MoleculerError);
    expect(error).toMatchObject({ code: 500, type: "PACKET_TOO_LARGE", data: { limit: 4_096 } });
    expect(await caller.call("pages.page", { size: 100 })).toHaveLength(100);
  });

  it("fails a request too large at the caller", async () => {
    await expect(caller.call("pages.page", { size: 1, pad: "x".repeat(10_000) })).rejects.toMatchObject({ type: "PACKET_TOO_LARGE" });
  });
});
