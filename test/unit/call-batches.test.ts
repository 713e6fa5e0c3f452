import { type BrokerOptions, type Context, Errors, type Middleware, ServiceBroker } from "moleculer";
import { callBatches } from "../../mixins/moleculer/call-batches.middleware";

describe("callBatches", () => {
  let caller: ServiceBroker;
  let callee: ServiceBroker;
  /** Requests the callee node received, by action. */
  const received: string[] = [];

  beforeEach(async () => {
    received.length = 0;
    const common: BrokerOptions = {
      logger: false,
      transporter: "Fake",
      namespace: `batches-${Date.now()}`,
      middlewares: [callBatches(["orders.create"], 3)],
    };
    caller = new ServiceBroker({ ...common, nodeID: "caller" });
    // Records what arrives from the caller node (the calls a batch runs locally are the callee's own).
    const recorder = {
      localAction: (next: (ctx: Context) => unknown, action: { name: string }) => (ctx: Context) => {
        if (ctx.nodeID === "caller") received.push(action.name);
        return next(ctx);
      },
    } as unknown as Middleware;
    callee = new ServiceBroker({ ...common, nodeID: "callee", middlewares: [...common.middlewares!, recorder] });
    callee.createService({
      name: "orders",
      actions: {
        create: {
          params: { n: "number" },
          handler(ctx: Context<{ n: number }, { $statusCode?: number; seen?: unknown }>) {
            if (ctx.params.n < 0) throw new Errors.MoleculerClientError("No negative orders", 409, "NEGATIVE", { n: ctx.params.n });
            ctx.meta.$statusCode = 201;
            const { n } = ctx.params;
            return {
              n,
              traceparent: ctx.headers.traceparent,
              requestID: ctx.requestID,
              key: (ctx.meta as { key?: string }).key,
              timeout: ctx.options.timeout,
            };
          },
        },
        get: (ctx: Context<{ n: number }>) => ({ n: ctx.params.n }),
      },
    });
    await Promise.all([caller.start(), callee.start()]);
    await caller.waitForServices("orders");
  });

  afterEach(() => Promise.all([caller.stop(), callee.stop()]));

  const traceparent = (n: number) => `00-${String(n).padStart(32, "0")}-${String(n).padStart(16, "0")}-01`;

  it("sends one turn's calls of a listed action as one request, each with its own params, meta, headers and request ID", async () => {
    const calls = [1, 2, 3].map(async (n) => {
      const ctx = caller.ContextFactory.create(caller, null as never, {}, { meta: { key: `k${n}` }, requestID: `r${n}` }) as Context;
      const result = await ctx.call("orders.create", { n }, { headers: { traceparent: traceparent(n) } });
      return { result, status: (ctx.meta as { $statusCode?: number }).$statusCode };
    });
    const results = await Promise.all(calls);
    expect(results).toEqual(
      [1, 2, 3].map((n) => ({
        result: expect.objectContaining({ n, traceparent: traceparent(n), requestID: `r${n}`, key: `k${n}` }),
        status: 201,
      })),
    );
    expect(received).toEqual(["orders.callBatch"]);
  });

  it("fails each call on its own, with its own error as Moleculer would have sent it", async () => {
    const outcomes = await Promise.allSettled([
      caller.call("orders.create", { n: 1 }),
      caller.call("orders.create", { n: -1 }),
      caller.call("orders.create", { n: "x" }),
    ]);
    expect(outcomes[0]).toEqual({ status: "fulfilled", value: expect.objectContaining({ n: 1 }) });
    expect(outcomes[1]).toMatchObject({
      status: "rejected",
      reason: { name: "MoleculerClientError", code: 409, type: "NEGATIVE", data: { n: -1 }, nodeID: "callee" },
    });
    const invalid = (outcomes[2] as PromiseRejectedResult).reason;
    expect(invalid).toBeInstanceOf(Errors.ValidationError);
    expect(invalid.data).toEqual([expect.objectContaining({ field: "n", type: "number" })]);
    expect(received).toEqual(["orders.callBatch"]);
  });

  it("fails a call whose params cannot be serialized alone; the other calls of its batch are done once", async () => {
    // Nested deeper than JSON.stringify can recurse.
    let deep: unknown = 0;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const outcomes = await Promise.allSettled([
      caller.call("orders.create", { n: 1 }),
      caller.call("orders.create", { n: 2, deep }),
      caller.call("orders.create", { n: 3 }),
    ]);
    expect(outcomes[0]).toEqual({ status: "fulfilled", value: expect.objectContaining({ n: 1 }) });
    expect(outcomes[1]).toMatchObject({ status: "rejected", reason: { code: 500, type: "UNSERIALIZABLE_CALL" } });
    expect(outcomes[2]).toEqual({ status: "fulfilled", value: expect.objectContaining({ n: 3 }) });
    expect(received).toEqual(["orders.callBatch"]);
  });

  it("leaves other actions, and calls in later turns, to their own requests", async () => {
    await Promise.all([caller.call("orders.get", { n: 1 }), caller.call("orders.get", { n: 2 })]);
    await caller.call("orders.create", { n: 1 });
    await caller.call("orders.create", { n: 2 });
    expect(received).toEqual(["orders.get", "orders.get", "orders.callBatch", "orders.callBatch"]);
  });

  it("cuts one turn's calls into requests of at most maxCalls calls", async () => {
    const results = await Promise.all([1, 2, 3, 4, 5].map((n) => caller.call("orders.create", { n })));
    expect(results.map((r) => (r as { n: number }).n)).toEqual([1, 2, 3, 4, 5]);
    expect(received).toEqual(["orders.callBatch", "orders.callBatch"]);
  });

  it("gives each call of a batch its own remaining timeout", async () => {
    const timeouts = await Promise.all([200, 5_000].map((timeout) => caller.call("orders.create", { n: timeout }, { timeout })));
    expect(timeouts.map((r) => (r as { timeout: number }).timeout)).toEqual([200, 5_000]);
  });
});
