import { Sequelize } from "sequelize";
import { migrate } from "../../mixins/db/migrations";
import { Outbox } from "../../mixins/messaging/outbox/outbox";
import { migrations } from "../../services/orders/migrations";
import { runId } from "../support/environment";
import { createDatabases, databaseUrl, dropDatabases, queryDatabase } from "../support/postgres";

/**
 * The relay's claim stays an index scan that stops at its limit however much is owed: a consumer away
 * for an hour leaves a backlog the relay looks into every second. Checked on PostgreSQL's own plan for
 * the statement the code runs, over a big, analysed outbox.
 */
const database = `${runId()}_plans`;
let sequelize: Sequelize;
/** Every statement the code sends, as PostgreSQL receives it. */
const sent: string[] = [];

beforeAll(async () => {
  await createDatabases([database]);
  sequelize = new Sequelize(databaseUrl(database), { logging: (sql) => sent.push(sql.replace(/^Executing \(default\): /, "")) });
  await migrate(sequelize, migrations, "orders");
  // 300,000 messages owed: a third due now (a backlog), the rest retried later or parked.
  await queryDatabase(
    database,
    `INSERT INTO outbox (id, type, envelope, consumers, next_attempt_at, parked_at, created_at)
     SELECT gen_random_uuid(), 'order.created', '{}', '{invoices}',
            now() + (i % 3 - 1) * interval '1 hour', CASE WHEN i % 10 = 0 THEN now() END, now() - i * interval '1 second'
     FROM generate_series(1, 300000) AS i`,
  );
  await queryDatabase(database, "ANALYZE outbox");
}, 300_000);

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

/** PostgreSQL's plan for `sql`, without running it. */
async function plan(sql: string): Promise<PlanNode[]> {
  const [
    {
      "QUERY PLAN": [{ Plan }],
    },
  ] = await queryDatabase(database, `EXPLAIN (FORMAT JSON) ${sql}`);
  return nodesOf(Plan);
}

it("claims due messages through the due index, in its order, reading no more rows than the batch", async () => {
  sent.length = 0;
  const claimed = await new Outbox(sequelize).claimDue(100, { baseMs: 1000, maxMs: 30_000 });
  expect(claimed).toHaveLength(100);
  const [claim] = sent.filter((sql) => sql.startsWith("UPDATE outbox"));
  const nodes = await plan(claim);
  const reads = nodes.filter((node) => node["Relation Name"] === "outbox" && node["Node Type"] !== "ModifyTable");
  expect(reads.map((node) => node["Node Type"])).not.toContain("Seq Scan");
  expect(reads.map((node) => node["Index Name"])).toContain("outbox_due_idx");
  // The index gives the rows in the order asked for, so the limit stops the scan: no sort of the backlog.
  expect(nodes.map((node) => node["Node Type"])).not.toContain("Sort");
});
