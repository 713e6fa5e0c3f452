import { randomUUID } from "node:crypto";
import { Sequelize } from "sequelize";
import { readConfig } from "../../mixins/config";
import { migrate } from "../../mixins/db/migrations";
import { Inbox } from "../../mixins/messaging/inbox/inbox";
import { IdempotencyKeys } from "../../mixins/units/idempotency";
import { migrations as invoicesMigrations } from "../../services/invoices/migrations";
import { migrations as ordersMigrations } from "../../services/orders/migrations";
import { runId } from "../support/environment";
import { createDatabases, databaseUrl, dropDatabases, inTransaction, queryDatabase } from "../support/postgres";

// Retention against the real PostgreSQL, in databases migrated by each service's own migrations: what
// outlives its window goes, a batch per statement, and nothing younger.
const id = runId();
const databases = { orders: `${id}_orders`, invoices: `${id}_invoices` };
const connections: Record<string, Sequelize> = {};

beforeAll(async () => {
  await createDatabases(Object.values(databases));
  for (const [service, list] of [
    ["orders", ordersMigrations],
    ["invoices", invoicesMigrations],
  ] as const) {
    connections[service] = new Sequelize(databaseUrl(databases[service]), { logging: false });
    await migrate(connections[service], list, "retention-test");
  }
});

afterAll(async () => {
  await Promise.all(Object.values(connections).map((sequelize) => sequelize.close()));
  await dropDatabases(Object.values(databases));
});

const database = databases.orders;

/** `count` inbox records received `age` ago (a PostgreSQL interval); their ids. */
async function received(count: number, age: string): Promise<string[]> {
  const ids = Array.from({ length: count }, () => randomUUID());
  await queryDatabase(
    database,
    "INSERT INTO inbox (message_id, type, received_at) SELECT id, 'order.created', now() - $2::interval FROM unnest($1::uuid[]) AS id",
    [ids, age],
  );
  return ids;
}

const inboxIds = async () =>
  (await queryDatabase<{ message_id: string }>(database, "SELECT message_id FROM inbox")).map((row) => row.message_id).sort();

describe("Inbox retention", () => {
  beforeEach(() => queryDatabase(database, "TRUNCATE inbox"));

  it("forgets the records older than the window, 1,000 per statement until none is left, and keeps the younger", async () => {
    await received(2_500, "7 days 1 minute");
    const recent = [...(await received(3, "6 days 23 hours")), ...(await received(3, "0 seconds"))];
    expect(await new Inbox(connections.orders, 7).purgeExpired(1_000)).toEqual({ rows: 2_500, statements: 3 });
    expect(await inboxIds()).toEqual(recent.sort());
  });

  it("holds to the configured number of days", async () => {
    const [old] = await received(1, "3 days 1 minute");
    const [young] = await received(1, "2 days 23 hours");
    expect(await new Inbox(connections.orders, 3).purgeExpired()).toEqual({ rows: 1, statements: 1 });
    expect(await inboxIds()).toEqual([young]);
    // Past the window, a message arriving again is new to the inbox.
    const again = await inTransaction(connections.orders, (connection) =>
      new Inbox(connections.orders, 3).record([old, young], "order.created", connection),
    );
    expect([...again]).toEqual([old]);
  });

  it.each(Object.entries(databases))("the purge finds expired records by an index in the %s database", async (_service, name) => {
    const [index] = await queryDatabase(name, "SELECT indexdef FROM pg_indexes WHERE indexname = 'inbox_received_at_idx'");
    expect(index.indexdef).toMatch(/ON public\.inbox USING brin \(received_at\)$/);
  });
});

describe("INBOX_RETENTION_DAYS", () => {
  it("is 7 unless set, takes a whole number of days of at least 1, and names itself when it is not one", () => {
    expect(readConfig({}).INBOX_RETENTION_DAYS).toBe(7);
    expect(readConfig({ INBOX_RETENTION_DAYS: "30" }).INBOX_RETENTION_DAYS).toBe(30);
    expect(() => readConfig({ INBOX_RETENTION_DAYS: "7d" }).INBOX_RETENTION_DAYS).toThrow(
      "INBOX_RETENTION_DAYS must be a whole number of at least 1, got '7d'",
    );
    expect(() => readConfig({ INBOX_RETENTION_DAYS: "0" }).INBOX_RETENTION_DAYS).toThrow(
      "INBOX_RETENTION_DAYS must be a whole number of at least 1, got '0'",
    );
  });
});

describe("Idempotency-Keys retention", () => {
  it("forgets the keys older than 24 hours, a batch per statement, and keeps the younger", async () => {
    await queryDatabase(
      database,
      `INSERT INTO idempotency_keys (key, request_hash, created_at)
       SELECT 'old-' || n, repeat('0', 64), now() - interval '24 hours 1 minute' FROM generate_series(1, 2500) AS n
       UNION ALL SELECT 'young-' || n, repeat('0', 64), now() - interval '23 hours' FROM generate_series(1, 3) AS n`,
    );
    expect(await new IdempotencyKeys(connections.orders).purgeExpired(1_000)).toEqual({ rows: 2_500, statements: 3 });
    expect((await queryDatabase(database, "SELECT key FROM idempotency_keys ORDER BY key")).map((row) => row.key)).toEqual([
      "young-1",
      "young-2",
      "young-3",
    ]);
  });
});
