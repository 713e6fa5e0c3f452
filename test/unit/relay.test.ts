import type { Logger } from "moleculer";
import { createEnvelope, type EventEnvelope } from "../../contracts/events/envelope";
import { INVOICE_ISSUED } from "../../contracts/events/invoice-issued";
import { ORDER_CANCELLED } from "../../contracts/events/order-cancelled";
import { ORDER_CREATED } from "../../contracts/events/order-created";
import { readConfig } from "../../mixins/config";
import { type Outbox, outgoing, type PendingMessage } from "../../mixins/messaging/outbox/outbox";
import { Relay, relayOptions } from "../../mixins/messaging/outbox/relay";

describe("relayOptions", () => {
  it("has production defaults and takes overrides", () => {
    expect(relayOptions(readConfig({}))).toEqual({
      pollMs: 1_000,
      batchSize: 100,
      batchBytes: 1024 * 1024,
      maxMessageBytes: 16 * 1024 * 1024 - 64 * 1024,
      maxInFlight: 1_000,
      retryBaseMs: 1_000,
      retryMaxMs: 30_000,
    });
    expect(relayOptions(readConfig({ OUTBOX_RETRY_MAX_MS: "2000" })).retryMaxMs).toBe(2_000);
    expect(() => relayOptions(readConfig({ OUTBOX_BATCH_SIZE: "10O" }))).toThrow(
      "OUTBOX_BATCH_SIZE must be a whole number of at least 1, got '10O'",
    );
  });
});

describe("Relay", () => {
  const cause = { correlationId: "test", causationId: "test", source: "orders" };
  const created = () => createEnvelope(ORDER_CREATED, {} as never, cause);
  const cancelled = () => createEnvelope(ORDER_CANCELLED, {} as never, cause);
  const options = {
    pollMs: 60_000,
    batchSize: 100,
    batchBytes: 1_000_000,
    maxMessageBytes: 2_000_000,
    maxInFlight: 1_000,
    retryBaseMs: 1_000,
    retryMaxMs: 30_000,
  };
  const logger = { warn: () => undefined } as unknown as Logger;

  /**
   * A relay over a fake outbox whose passes claim from `due` (`claims`: the most each pass asked for),
   * emitting into `sent`; `known` lists the groups each type's consumers are served by.
   */
  function relay(known: Record<string, string[]>, due: PendingMessage[] = [], overrides: Partial<typeof options> = {}) {
    const sent: Array<{ type: string; ids: string[]; groups: string[] }> = [];
    const waiting: Array<{ ids: string[]; delayMs: number }> = [];
    const parked: Array<{ id: string; reason: string }> = [];
    const deleted: string[][] = [];
    const claims: number[] = [];
    const outbox = {
      claimDue: async (limit: number) => {
        claims.push(limit);
        return due.splice(0, limit);
      },
      awaitConsumers: async (ids: string[], delayMs: number) => void waiting.push({ ids, delayMs }),
      park: async (messages: Array<{ id: string; reason: string }>) => void parked.push(...messages),
      deleteDelivered: async (ids: string[]) => void deleted.push(ids),
    } as unknown as Outbox;
    const ports = {
      servedGroups: (type: string) => known[type] ?? [],
      emit: async (type: string, envelopes: EventEnvelope<unknown>[], groups: string[]) =>
        void sent.push({ type, ids: envelopes.map((e) => e.id), groups }),
    };
    return {
      relay: new Relay(outbox, ports, { ...options, ...overrides }, { ...logger, error: () => undefined } as Logger),
      sent,
      waiting,
      parked,
      deleted,
      claims,
    };
  }

  const pending = (envelope: EventEnvelope<unknown>, consumers: string[], acked_by: string[] = []): PendingMessage => ({
    id: envelope.id,
    type: envelope.type,
    envelope,
    bytes: Buffer.byteLength(JSON.stringify(envelope)),
    consumers,
    acked_by,
  });

  it("sends what a commit wrote as one event per type, to the groups known now", async () => {
    const { relay: r, sent } = relay({ "order.created": ["invoices", "audit"], "order.cancelled": ["invoices"] });
    r.start();
    const [a, b, c] = [created(), cancelled(), created()];
    const messages = [a, b, c].map((envelope) =>
      outgoing(envelope, envelope.type === "order.created" ? ["invoices", "audit"] : ["invoices"]),
    );
    r.dispatch([...messages, outgoing(createEnvelope(INVOICE_ISSUED, {} as never, cause), ["orders"])]);
    await r.stop();
    expect(sent).toEqual([
      { type: "order.created", ids: [a.id, c.id], groups: ["invoices", "audit"] },
      { type: "order.cancelled", ids: [b.id], groups: ["invoices"] },
    ]);
  });

  it("sends nothing while stopped: the outbox rows are all there is", () => {
    const { relay: r, sent } = relay({ "order.created": ["invoices"] });
    r.dispatch([outgoing(created(), ["invoices"])]);
    expect(sent).toEqual([]);
  });

  it("sends a pass's due messages in batches to the groups that have not acknowledged them; the others wait", async () => {
    const [a, b, c, d] = [created(), created(), created(), cancelled()];
    const {
      relay: r,
      sent,
      waiting,
    } = relay({ "order.created": ["invoices", "audit"] }, [
      pending(a, ["invoices", "audit"], []),
      pending(b, ["invoices", "audit"], ["audit"]),
      pending(c, ["invoices", "audit"], []),
      pending(d, ["invoices"], []),
    ]);
    r.start();
    await r.stop();
    expect(sent).toEqual([
      { type: "order.created", ids: [a.id, c.id], groups: ["invoices", "audit"] },
      { type: "order.created", ids: [b.id], groups: ["invoices"] },
    ]);
    // Until a node serving them joins and brings them forward, or the longest backoff has passed.
    expect(waiting).toEqual([{ ids: [d.id], delayMs: options.retryMaxMs }]);
  });

  it("deletes a claimed message every group has acknowledged instead of sending it or waiting for a consumer", async () => {
    const [a, b] = [created(), created()];
    const {
      relay: r,
      sent,
      waiting,
      deleted,
    } = relay({ "order.created": ["invoices"] }, [pending(a, ["invoices", "audit"], ["audit", "invoices"]), pending(b, ["invoices"], [])]);
    r.start();
    await r.stop();
    expect(deleted).toEqual([[a.id]]);
    expect(sent).toEqual([{ type: "order.created", ids: [b.id], groups: ["invoices"] }]);
    expect(waiting).toEqual([]);
  });

  it("cuts batches by bytes as well as count, in order", async () => {
    const sized = (chars: number) => createEnvelope(ORDER_CREATED, { note: "x".repeat(chars) } as never, cause);
    const messages = [sized(800), sized(800), sized(10), sized(10), sized(10), sized(3_000)];
    const { relay: r, sent } = relay({ "order.created": ["invoices"] }, [], { batchSize: 2, batchBytes: 2_000 });
    r.start();
    r.dispatch(messages.map((m) => outgoing(m, ["invoices"])));
    await r.stop();
    expect(sent.map((batch) => batch.ids)).toEqual([
      [messages[0].id],
      [messages[1].id, messages[2].id],
      [messages[3].id, messages[4].id],
      [messages[5].id],
    ]);
  });

  it("parks a message too big to ever cross the transporter, with its size, and sends the others", async () => {
    const huge = createEnvelope(ORDER_CREATED, { note: "x".repeat(5_000) } as never, cause);
    const small = created();
    const {
      relay: r,
      sent,
      parked,
    } = relay({ "order.created": ["invoices"] }, [pending(huge, ["invoices"]), pending(small, ["invoices"])], {
      maxMessageBytes: 4_000,
    });
    r.start();
    await r.stop();
    expect(sent).toEqual([{ type: "order.created", ids: [small.id], groups: ["invoices"] }]);
    expect(parked).toEqual([
      { id: huge.id, reason: expect.stringMatching(/^5\d{3} bytes: larger than the 4000 bytes a transporter packet carries$/) },
    ]);
  });

  it("claims no more than the room left in flight, and claims again as consumers answer", async () => {
    const due = Array.from({ length: 300 }, () => pending(created(), ["invoices"]));
    const { relay: r, claims, sent } = relay({ "order.created": ["invoices"] }, due, { maxInFlight: 150 });
    const settled = () => new Promise((resolve) => setTimeout(resolve, 10));
    r.start();
    await settled();
    // A full pass, then one for the 50 left of the room: the relay waits for answers.
    expect(claims).toEqual([100, 50]);
    r.answered(60);
    await settled();
    expect(claims).toEqual([100, 50, 60]);
    r.answered(150);
    await r.stop();
    expect(claims).toEqual([100, 50, 60, 100]);
    expect(sent.flatMap((batch) => batch.ids)).toHaveLength(300);
  });

  it("claims again at once when what it claimed up to the room was not all sent", async () => {
    const sendable = () => pending(created(), ["invoices"]);
    // No node serves order.cancelled's group: those messages wait, and take no room.
    const waiting = () => pending(cancelled(), ["invoices"]);
    const due = [...Array.from({ length: 100 }, sendable), ...Array.from({ length: 50 }, waiting), ...Array.from({ length: 60 }, sendable)];
    const { relay: r, claims, sent } = relay({ "order.created": ["invoices"] }, due, { maxInFlight: 150 });
    r.start();
    await new Promise((resolve) => setTimeout(resolve, 10));
    await r.stop();
    expect(claims).toEqual([100, 50, 50]);
    expect(sent.flatMap((batch) => batch.ids)).toHaveLength(150);
  });

  it("runs no pass on an answer unless the last one stopped at the room in flight", async () => {
    const { relay: r, claims } = relay({ "order.created": ["invoices"] }, [pending(created(), ["invoices"])]);
    r.start();
    await new Promise((resolve) => setTimeout(resolve, 10));
    r.answered(1);
    await r.stop();
    expect(claims).toEqual([100]);
  });

  it("sends a commit's messages at once only as far as there is room in flight: the others wait for the passes", async () => {
    const { relay: r, sent } = relay({ "order.created": ["invoices", "audit"] }, [], { maxInFlight: 5 });
    r.start();
    const [a, b, c, d] = [created(), created(), created(), created()];
    // Two groups each: a message counts twice.
    r.dispatch([a, b, c].map((envelope) => outgoing(envelope, ["invoices", "audit"])));
    r.dispatch([a, b].map((envelope) => outgoing(envelope, ["invoices", "audit"])));
    r.dispatch([outgoing(c, ["invoices", "audit"])]);
    r.dispatch([outgoing(d, ["invoices"])]);
    await r.stop();
    expect(sent).toEqual([
      { type: "order.created", ids: [a.id, b.id], groups: ["invoices", "audit"] },
      { type: "order.created", ids: [d.id], groups: ["invoices"] },
    ]);
  });
});
