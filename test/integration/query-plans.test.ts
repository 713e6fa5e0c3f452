import { QueryTypes, Sequelize } from "sequelize";
import { migrate } from "../../mixins/db/migrations";
import { Outbox } from "../../mixins/messaging/outbox/outbox";
import { migrations } from "../../services/orders/migrations";
import { runId } from "../support/environment";
import { createDatabases, databaseUrl, dropDatabases, queryDatabase } from "../support/postgres";

/**
 * The relay's claim stays an index scan that stops at its limit however much is owed: a consumer away
 * for an hour leaves a backlog the relay looks into every second. Checked on PostgreSQL's own plan for
 * the statement the code runs, over a big outbox, before and after PostgreSQL has analysed it.
 */
const database = `${runId()}_plans`;
let sequelize: Sequelize;
/** Every statement the code sends, as PostgreSQL receives it. */
const sent: string[] = [];

beforeAll(async () => {
  await createDatabases([database]);
  sequelize = new Sequelize(databaseUrl(database), { logging: (sql) => sent.push(sql.replace(/^Executing \(default\): /, "")) });
  await migrate(sequelize, migrations, "orders");
});

afterAll(async () => {
  await sequelize?.close();
  await dropDatabases([database]);
});

interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  "Plan Rows": number;
  Plans?: PlanNode[];
}
const nodesOf = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodesOf)];

/** `count` more messages owed: a third due now (a backlog), the rest retried later or parked. */
function owe(count: number): Promise<unknown> {
  return queryDatabase(
    database,
    `INSERT INTO outbox (id, type, envelope, consumers, next_attempt_at, parked_at, created_at)
     SELECT gen_random_uuid(), 'order.created', '{}', '{invoices}',
            now() + (i % 3 - 1) * interval '1 hour', CASE WHEN i % 10 = 0 THEN now() END, now() - i * interval '1 second'
     FROM generate_series(1, $1::integer) AS i`,
    [count],
  );
}

/** The settings a query the code sends makes for its statement (`SET LOCAL …;`), before the statement. */
const SETTINGS = /^(\s*SET LOCAL [^;]*;)*\s*/;

/** PostgreSQL's plan for a query the code sent, without running it: under the settings it makes first. */
async function plan(query: string): Promise<PlanNode[]> {
  const explained = query.replace(SETTINGS, (settings) => `${settings} EXPLAIN (FORMAT JSON) `);
  const [
    {
      "QUERY PLAN": [{ Plan }],
    },
  ] = await sequelize.query<{ "QUERY PLAN": [{ Plan: PlanNode }] }>(explained, { type: QueryTypes.SELECT, logging: false });
  return nodesOf(Plan);
}

async function expectClaimThroughDueIndex(): Promise<void> {
  sent.length = 0;
  const claimed = await new Outbox(sequelize).claimDue(100, { baseMs: 1000, maxMs: 30_000 });
  expect(claimed).toHaveLength(100);
  const [claim] = sent.filter((sql) => sql.replace(SETTINGS, "").startsWith("UPDATE outbox"));
  const nodes = await plan(claim);
  const reads = nodes.filter((node) => node["Relation Name"] === "outbox" && node["Node Type"] !== "ModifyTable");
  expect(reads.map((node) => node["Node Type"])).not.toContain("Seq Scan");
  expect(reads.map((node) => node["Index Name"])).toContain("outbox_due_idx");
  // The index gives the rows in the order asked for, so the limit stops the scan: no sort of the backlog.
  expect(nodes.map((node) => node["Node Type"])).not.toContain("Sort");
}

it("claims due messages through the due index, in its order, reading no more rows than the batch, before the outbox is analysed", async () => {
  // What a server with autovacuum off, or one not yet round after a burst, plans with: no statistics,
  // a guess of a few dozen rows owed, where sorting them all looks cheaper than the index's order.
  await owe(10_000);
  const [{ reltuples }] = await queryDatabase(database, "SELECT reltuples FROM pg_class WHERE relname = 'outbox'");
  expect(reltuples).toBeLessThan(1);
  await expectClaimThroughDueIndex();
});

it("…and once it is, over 300,000", async () => {
  const [{ owed }] = await queryDatabase(database, "SELECT count(*)::int AS owed FROM outbox");
  await owe(300_000 - owed);
  await queryDatabase(database, "ANALYZE outbox");
  await expectClaimThroughDueIndex();
}, 300_000);
