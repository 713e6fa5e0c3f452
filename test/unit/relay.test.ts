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
    retryBaseMs: 1_000,
    retryMaxMs: 30_000,
  };
  const logger = { warn: () => undefined } as unknown as Logger;

  /** A relay over a fake outbox whose passes claim `due`, emitting into `sent`; `known` lists each type's known groups. */
  function relay(known: Record<string, string[]>, due: PendingMessage[] = [], overrides: Partial<typeof options> = {}) {
    const sent: Array<{ type: string; ids: string[]; groups: string[] }> = [];
    const waiting: Array<{ ids: string[]; delayMs: number }> = [];
    const parked: Array<{ id: string; reason: string }> = [];
    const deleted: string[][] = [];
    const outbox = {
      claimDue: async () => due.splice(0),
      awaitConsumers: async (ids: string[], delayMs: number) => void waiting.push({ ids, delayMs }),
      park: async (messages: Array<{ id: string; reason: string }>) => void parked.push(...messages),
      deleteDelivered: async (ids: string[]) => void deleted.push(ids),
    } as unknown as Outbox;
    const ports = {
      knownGroups: (type: string) => known[type] ?? [],
      emit: async (type: string, envelopes: EventEnvelope<unknown>[], groups: string[]) =>
        void sent.push({ type, ids: envelopes.map((e) => e.id), groups }),
    };
    return {
      relay: new Relay(outbox, ports, { ...options, ...overrides }, { ...logger, error: () => undefined } as Logger),
      sent,
      waiting,
      parked,
      deleted,
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
    const { relay: r, sent } = relay(
      { "order.created": ["invoices"] },
      messages.map((m) => pending(m, ["invoices"])),
      {
        batchSize: 2,
        batchBytes: 2_000,
      },
    );
    r.start();
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
});
