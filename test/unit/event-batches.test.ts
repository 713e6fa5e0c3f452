import { type Context, ServiceBroker } from "moleculer";
import { createEnvelope, type EventBatch, type EventEnvelope } from "../../contracts/events/envelope";
import { ORDER_CREATED } from "../../contracts/events/order-created";
import { EventBatchesMiddleware } from "../../mixins/moleculer/event-batches.middleware";

describe("EventBatchesMiddleware", () => {
  let broker: ServiceBroker;
  const seen: Array<{ event: string; params: unknown; headers: unknown; requestID?: string | null }> = [];

  beforeEach(async () => {
    seen.length = 0;
    broker = new ServiceBroker({ logger: false, middlewares: [EventBatchesMiddleware] });
    broker.createService({
      name: "invoices",
      events: {
        "order.created"(ctx: Context) {
          seen.push({ event: ctx.eventName!, params: ctx.params, headers: ctx.headers, requestID: ctx.requestID });
        },
        "message.acknowledged"(ctx: Context) {
          seen.push({ event: ctx.eventName!, params: ctx.params, headers: ctx.headers });
        },
      },
    });
    await broker.start();
  });

  afterEach(() => broker.stop());

  const envelope = (correlationId: string, traceparent?: string): EventEnvelope<unknown> =>
    createEnvelope(ORDER_CREATED, {} as never, { correlationId, causationId: correlationId, source: "orders", traceparent });

  it("runs the handler once per message of a batch, each with its own trace in the headers and its own request's ID", async () => {
    const traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    const [a, b] = [envelope("request-a", traceparent), envelope("request-b")];
    await broker.emit("order.created", { batch: [a, b] } satisfies EventBatch<unknown>);
    expect(seen).toEqual([
      { event: "order.created", params: a, headers: { traceparent }, requestID: "request-a" },
      { event: "order.created", params: b, headers: {}, requestID: "request-b" },
    ]);
  });

  it("leaves any other payload alone", async () => {
    await broker.emit("message.acknowledged", { messageIds: ["x"], group: "invoices" });
    expect(seen).toEqual([{ event: "message.acknowledged", params: { messageIds: ["x"], group: "invoices" }, headers: {} }]);
  });
});
