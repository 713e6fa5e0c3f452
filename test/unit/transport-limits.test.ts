import { type BrokerOptions, Errors, ServiceBroker } from "moleculer";
import { readConfig } from "../../mixins/config";
import { packetLimit } from "../../mixins/moleculer/packet-limit.middleware";
import { callsPerBatch, transportLimits } from "../../mixins/moleculer/transport-limits";

describe("transportLimits", () => {
  const MiB = 1024 * 1024;

  it("is 16 MiB per packet unless set, batches of at most 1 MiB, room for Moleculer's own fields, records bounded by the body limit", () => {
    expect(transportLimits(readConfig({}))).toEqual({
      maxPacketBytes: 16 * MiB,
      batchBytes: MiB,
      maxMessageBytes: 16 * MiB - 65_536,
      bodyLimitBytes: 65_536,
      maxRecordBytes: 65_536 + 16_384,
    });
    expect(transportLimits(readConfig({ TRANSPORT_MAX_PACKET_BYTES: String(32 * MiB), BODY_LIMIT: "128kb" }))).toMatchObject({
      batchBytes: MiB,
      bodyLimitBytes: 131_072,
    });
    expect(() => transportLimits(readConfig({ TRANSPORT_MAX_PACKET_BYTES: "16MB" }))).toThrow(
      "TRANSPORT_MAX_PACKET_BYTES must be a whole number",
    );
    expect(() => transportLimits(readConfig({ TRANSPORT_MAX_PACKET_BYTES: "1000" }))).toThrow("of at least 1048576");
    expect(() => transportLimits(readConfig({ BODY_LIMIT: "lots" }))).toThrow("BODY_LIMIT must be a size such as 64kb, got 'lots'");
  });

  it("stops a node whose body limit allows a list page larger than a packet", () => {
    expect(() => transportLimits(readConfig({ BODY_LIMIT: "100kb" }))).not.toThrow();
    expect(() => transportLimits(readConfig({ BODY_LIMIT: "1mb" }))).toThrow(/lower BODY_LIMIT or raise TRANSPORT_MAX_PACKET_BYTES/);
    expect(() => transportLimits(readConfig({ BODY_LIMIT: "1mb", TRANSPORT_MAX_PACKET_BYTES: String(128 * MiB) }))).not.toThrow();
  });

  it("sizes a request of batched calls so that even the largest calls, and their replies, fit one packet", () => {
    expect(callsPerBatch(transportLimits(readConfig({})))).toBe(100);
    expect(callsPerBatch(transportLimits(readConfig({})), 1000)).toBe(204);
    expect(callsPerBatch(transportLimits(readConfig({ BODY_LIMIT: "128kb" })), 1000)).toBe(113);
  });
});

describe("packetLimit", () => {
  let caller: ServiceBroker;
  let callee: ServiceBroker;

  beforeEach(async () => {
    const common: BrokerOptions = {
      logger: false,
      transporter: "Fake",
      namespace: `limit-${Date.now()}`,
      middlewares: [packetLimit(4_096)],
    };
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
