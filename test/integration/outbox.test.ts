import { randomUUID } from "node:crypto";
import type { Logger } from "moleculer";
import { Sequelize } from "sequelize";
import { createEnvelope, type EventEnvelope } from "../../contracts/events/envelope";
import { INVOICE_VOIDED } from "../../contracts/events/invoice-voided";
import { ORDER_CREATED } from "../../contracts/events/order-created";
import { readConfig } from "../../mixins/config";
import { migrate } from "../../mixins/db/migrations";
import { Inbox } from "../../mixins/messaging/inbox/inbox";
import { Outbox, type OutgoingMessage, outgoing } from "../../mixins/messaging/outbox/outbox";
import { Relay, relayOptions } from "../../mixins/messaging/outbox/relay";
import { messagingTables, outboxKeepsOnlyPending } from "../../mixins/messaging/tables";
import { runId } from "../support/environment";
import { createDatabases, databaseUrl, dropDatabases, inTransaction, queryDatabase } from "../support/postgres";

// The relay's and the inbox's SQL against the real PostgreSQL: what one statement claims, backs off,
// acknowledges and deduplicates, and what concurrent acknowledgements leave.
const database = `${runId()}_outbox`;
let sequelize: Sequelize;
let outbox: Outbox;
let inbox: Inbox;

beforeAll(async () => {
  await createDatabases([database]);
  sequelize = new Sequelize(databaseUrl(database), { logging: false });
  await migrate(sequelize, [messagingTables("001-messaging"), outboxKeepsOnlyPending("002-outbox-keeps-only-pending")], "outbox-test");
  outbox = new Outbox(sequelize);
  inbox = new Inbox(sequelize, 7);
});

afterAll(async () => {
  await sequelize?.close();
  await dropDatabases([database]);
});

const cause = { correlationId: "test", causationId: "test", source: "orders" };
const orderCreated = () => createEnvelope(ORDER_CREATED, {} as never, cause);
const row = async (id: string) =>
  (
    await queryDatabase(
      database,
      `SELECT attempts, acked_by, last_error,
              round(extract(epoch FROM next_attempt_at - now()) * 1000)::int AS due_in_ms
       FROM outbox WHERE id = $1`,
      [id],
    )
  )[0];

const outgoingAll = (envelopes: EventEnvelope<unknown>[], consumers: readonly string[]) =>
  envelopes.map((envelope) => outgoing(envelope, consumers));

/** Writes the events as a unit of work does, in a transaction of their own. */
const add = (messages: OutgoingMessage[], dueInMs: number) =>
  inTransaction(sequelize, async (connection) => {
    const adding = outbox.addition(messages, dueInMs);
    if (adding) await adding.statement.run(connection, adding.values);
  });

const backoff = { baseMs: 1_000, maxMs: 4_000 };

describe("Outbox", () => {
  beforeEach(() => queryDatabase(database, "TRUNCATE outbox, inbox"));

  it("writes a transaction's events in one statement; one nobody consumes is owed to no one and not written", async () => {
    const [a, b] = [orderCreated(), orderCreated()];
    const voided = createEnvelope(INVOICE_VOIDED, {} as never, cause);
    await add([...outgoingAll([a, b], ORDER_CREATED.consumers), ...outgoingAll([voided], INVOICE_VOIDED.consumers)], 0);
    expect(await row(voided.id)).toBeUndefined();
    expect((await outbox.claimDue(10, backoff)).map((m) => m.id).sort()).toEqual([a.id, b.id].sort());
    expect(await outbox.report(60)).toMatchObject({ pending: 2, stuck: 0, parked: 0 });
  });

  it("reports as stuck the messages pending for longer than the threshold", async () => {
    const [old, fresh] = [orderCreated(), orderCreated()];
    await add(outgoingAll([old, fresh], ORDER_CREATED.consumers), 0);
    await queryDatabase(database, "UPDATE outbox SET created_at = now() - interval '2 minutes' WHERE id = $1", [old.id]);
    expect(await outbox.report(60)).toMatchObject({ pending: 2, stuck: 1, oldestPendingSeconds: 120, parked: 0 });
  });

  it("leaves a fresh message to its producer's own emit until its first retry is due", async () => {
    const message = orderCreated();
    await add(outgoingAll([message], ORDER_CREATED.consumers), 60_000);
    expect(await outbox.claimDue(10, backoff)).toEqual([]);
    expect(Math.round((await row(message.id)).due_in_ms / 1_000)).toBe(60);
  });

  it("claims a due message once, counts the attempt and puts the next one off, doubling up to the cap", async () => {
    const message = orderCreated();
    await add(outgoingAll([message], ORDER_CREATED.consumers), 0);
    const delays: number[] = [];
    for (let attempt = 1; attempt <= 4; attempt++) {
      const [claimed] = await outbox.claimDue(10, backoff);
      expect(claimed).toMatchObject({ id: message.id, envelope: message, consumers: ["invoices"], acked_by: [] });
      expect(await outbox.claimDue(10, backoff)).toEqual([]);
      const { attempts, due_in_ms } = await row(message.id);
      expect(attempts).toBe(attempt);
      delays.push(Math.round(due_in_ms / 1_000) * 1_000);
      await queryDatabase(database, "UPDATE outbox SET next_attempt_at = now()");
    }
    expect(delays).toEqual([1_000, 2_000, 4_000, 4_000]);
  });

  it("gives back the attempt of a message no node up consumes", async () => {
    const message = orderCreated();
    await add(outgoingAll([message], ORDER_CREATED.consumers), 0);
    await outbox.claimDue(10, backoff);
    await outbox.awaitConsumers([message.id], 500);
    expect(await row(message.id)).toMatchObject({ attempts: 0, last_error: "no consumer up for invoices" });
  });

  it("skips the rows another relay holds", async () => {
    const [a, b] = [orderCreated(), orderCreated()];
    await add(outgoingAll([a, b], ORDER_CREATED.consumers), 0);
    await inTransaction(sequelize, async (connection) => {
      await connection.query("SELECT id FROM outbox WHERE id = $1 FOR UPDATE", [a.id]);
      expect((await outbox.claimDue(10, backoff)).map((m) => m.id)).toEqual([b.id]);
    });
  });

  it("brings forward only what a group among those given has yet to acknowledge", async () => {
    const [owed, ackedByIt, notItsOwn, parked] = [orderCreated(), orderCreated(), orderCreated(), orderCreated()];
    await add(
      [
        ...outgoingAll([owed, parked], ["invoices"]),
        ...outgoingAll([ackedByIt], ["invoices", "audit"]),
        ...outgoingAll([notItsOwn], ["audit"]),
      ],
      60_000,
    );
    await outbox.acknowledge([ackedByIt.id], "invoices");
    await queryDatabase(database, "UPDATE outbox SET parked_at = now() WHERE id = $1", [parked.id]);
    expect(await outbox.makeDueFor(["invoices", "reporting"])).toBe(1);
    expect((await outbox.claimDue(10, backoff)).map((m) => m.id)).toEqual([owed.id]);
    for (const waiting of [ackedByIt, notItsOwn, parked]) expect(Math.round((await row(waiting.id)).due_in_ms / 1_000)).toBe(60);
  });

  it("records a batch's acknowledgement by a group, once, and deletes a message once every group has", async () => {
    const [a, b] = [orderCreated(), orderCreated()];
    await add(outgoingAll([a, b], ["invoices", "audit"]), 0);
    await outbox.acknowledge([a.id, b.id], "invoices");
    await outbox.acknowledge([a.id], "invoices");
    expect(await row(a.id)).toMatchObject({ acked_by: ["invoices"] });
    await outbox.acknowledge([a.id], "audit");
    expect(await row(a.id)).toBeUndefined();
    expect(await row(b.id)).toMatchObject({ acked_by: ["invoices"] });
    expect((await outbox.claimDue(10, backoff)).map((m) => m.id)).toEqual([b.id]);
  });
});

describe("Acknowledgements of several groups", () => {
  /** A second pool: the other group's acknowledgements travel on connections of their own. */
  let other: Sequelize;
  beforeAll(() => {
    other = new Sequelize(databaseUrl(database), { logging: false });
  });
  afterAll(() => other.close());
  beforeEach(() => queryDatabase(database, "TRUNCATE outbox"));

  it("deletes every message once both groups have acknowledged it, however their acknowledgements interleave", async () => {
    const messages = Array.from({ length: 200 }, orderCreated);
    await add(outgoingAll(messages, ["invoices", "audit"]), 0);
    const audit = new Outbox(other);
    for (const [i, { id }] of messages.entries()) {
      const both = [() => outbox.acknowledge([id], "invoices"), () => audit.acknowledge([id], "audit")];
      await Promise.all(i % 2 === 0 ? both.map((ack) => ack()) : both.reverse().map((ack) => ack()));
    }
    expect(await queryDatabase(database, "SELECT count(*)::int AS stranded FROM outbox")).toEqual([{ stranded: 0 }]);
  });

  it("a relay pass deletes a message every group acknowledged that is still there, and sends it to nobody", async () => {
    const [stranded, owed] = [orderCreated(), orderCreated()];
    await add(outgoingAll([stranded, owed], ["invoices", "audit"]), 0);
    await queryDatabase(database, "UPDATE outbox SET acked_by = '{audit,invoices}' WHERE id = $1", [stranded.id]);
    const sent: string[] = [];
    const relay = new Relay(
      outbox,
      { servedGroups: () => ["invoices", "audit"], emit: async (_type, envelopes) => void sent.push(...envelopes.map((e) => e.id)) },
      { ...relayOptions(readConfig({})), pollMs: 60_000 },
      { warn: () => undefined, error: () => undefined } as unknown as Logger,
    );
    relay.start();
    await relay.stop();
    expect(sent).toEqual([owed.id]);
    expect(await row(stranded.id)).toBeUndefined();
    expect(await row(owed.id)).toMatchObject({ attempts: 1 });
  });
});

describe("Inbox", () => {
  it("returns only the ids it has not seen, also when one comes twice in a batch", async () => {
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
    const first = await inTransaction(sequelize, (connection) => inbox.record([a, b, a], "order.created", connection));
    expect([...first].sort()).toEqual([a, b].sort());
    const second = await inTransaction(sequelize, (connection) => inbox.record([b, c], "order.created", connection));
    expect([...second]).toEqual([c]);
  });

  it("forgets what a rolled-back transaction recorded", async () => {
    const id = randomUUID();
    await expect(
      inTransaction(sequelize, async (connection) => {
        await inbox.record([id], "order.created", connection);
        throw new Error("effect failed");
      }),
    ).rejects.toThrow("effect failed");
    const again = await inTransaction(sequelize, (connection) => inbox.record([id], "order.created", connection));
    expect([...again]).toEqual([id]);
  });
});
