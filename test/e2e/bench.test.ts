import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { TEST_AMQP_URL, TEST_POSTGRES_URL } from "../support/environment";

/** A few seconds of `npm run bench`: it runs end to end and reports nothing lost, nothing doubled. */
const bench = join(__dirname, "../../dist/scripts/bench.js");
const run = async (args: string[]) => {
  const json = join(mkdtempSync(join(tmpdir(), "bench-")), "figures.json");
  await promisify(execFile)(process.execPath, [
    bench,
    "--postgres",
    TEST_POSTGRES_URL,
    "--transporter",
    TEST_AMQP_URL,
    "--json",
    json,
    ...args,
  ]);
  return JSON.parse(readFileSync(json, "utf8"));
};

it.each([
  ["", []],
  [", each request with an Idempotency-Key", ["--idempotency-keys"]],
])("npm run bench reports every order invoiced exactly once%s", async (_name, extra) => {
  const figures = await run(["--duration", "2", "--warmup", "0", "--connections", "5", "--baseline", "1", ...extra]);
  expect(figures.settings.idempotencyKeys).toBe(extra.length > 0);
  expect(figures.orders).toBeGreaterThan(0);
  expect(figures).toMatchObject({ lost: 0, duplicates: 0, errors: 0 });
  expect(Object.keys(figures.statuses)).toEqual(["201"]);
  expect(figures.rawInsertWithOutboxPerSecond).toBeGreaterThan(0);
  expect(figures.cpuMsPerOrder).toBeGreaterThan(0);
  expect(Object.keys(figures.nodes)).toEqual(["api", "orders-1", "invoices-1"]);
});

it("npm run bench -- --compare --defaults drives this system as shipped and the plain stack in turn, every order invoiced once in both", async () => {
  const { rounds, comparison } = await run(["--compare", "--defaults", "--duration", "1", "--warmup", "0", "--connections", "5"]);
  expect(rounds.map((round: { kind: string }) => round.kind)).toEqual(["system", "plain", "system", "plain"]);
  for (const round of rounds) {
    expect(round.orders).toBeGreaterThan(0);
    expect(round).toMatchObject({ lost: 0, duplicates: 0, errors: 0 });
    expect(Object.keys(round.statuses)).toEqual(["201"]);
  }
  // The nodes as shipped export to the bench's own collector, measured beside them.
  expect(Object.keys(rounds[0].nodes)).toEqual(["api", "orders-1", "invoices-1", "otlp-sink"]);
  expect(Object.keys(rounds[1].nodes)).toEqual(["plain-orders", "plain-invoices"]);
  expect(comparison.ordersPerSecond).toHaveLength(2);
  expect(comparison.everyOrderInvoicedOnce).toBe(true);
  // Where each order's CPU went, for both stacks of each pair: the parts add up to the round's total.
  const total = (split: Record<string, number>) => Object.values(split).reduce((sum, ms) => sum + ms, 0);
  comparison.cpuMsPerOrderBy.forEach((pair: Record<"system" | "plain", Record<string, number>>, i: number) => {
    expect(Object.keys(pair.system)).toEqual(["stack", "postgres", "rabbitmq", "bench"]);
    expect(total(pair.system)).toBeCloseTo(rounds[2 * i].cpuMsPerOrder, 1);
    expect(total(pair.plain)).toBeCloseTo(rounds[2 * i + 1].cpuMsPerOrder, 1);
  });
});

it("npm run bench -- --switches adds one default at a time, from quiet to as shipped, every order invoiced once in each", async () => {
  const { rounds, switches } = await run(["--switches", "--duration", "1", "--warmup", "0", "--connections", "5"]);
  expect(switches.map((each: { nodes: string }) => each.nodes)).toEqual(["quiet", "info logs", "traces", "as shipped"]);
  for (const round of rounds) expect(round).toMatchObject({ lost: 0, duplicates: 0, errors: 0 });
  expect(switches.every((each: { everyOrderInvoicedOnce: boolean }) => each.everyOrderInvoicedOnce)).toBe(true);
  expect(switches[0]).toMatchObject({ ordersPerSecondOverQuiet: 1, cpuOverQuiet: 1 });
  // Only the settings that export have the bench's collector beside the nodes.
  expect(rounds.map((round: { nodes: object }) => "otlp-sink" in round.nodes)).toEqual([false, false, true, true]);
});

it("npm run bench -- --seed-rows stores invoiced orders first, then reads every list at its first and a deep page, all answered", async () => {
  const figures = await run([
    "--seed-rows",
    "5000",
    "--read-seconds",
    "1",
    "--duration",
    "1",
    "--warmup",
    "0",
    "--connections",
    "5",
    "--baseline",
    "0",
  ]);
  // The seeded orders are not the bench's: only the ones it created are counted, each invoiced once.
  expect(figures.orders).toBeGreaterThan(0);
  expect(figures.orders).toBeLessThan(5000);
  expect(figures).toMatchObject({ lost: 0, duplicates: 0, errors: 0 });
  expect(Object.keys(figures.reads)).toHaveLength(8);
  for (const [name, read] of Object.entries(figures.reads as Record<string, { statuses: Record<string, number> }>)) {
    expect({ name, statuses: Object.keys(read.statuses) }).toEqual({ name, statuses: ["200"] });
  }
});

it("npm run bench -- --backlog builds a backlog with the invoices nodes down, then drains it: every order invoiced once", async () => {
  const figures = await run(["--backlog", "300", "--duration", "1", "--warmup", "0", "--connections", "5", "--baseline", "0"]);
  expect(figures).toMatchObject({ lost: 0, duplicates: 0, errors: 0 });
  expect(figures.backlog).toMatchObject({ orders: 300, statuses: { "201": 300 }, lost: 0, duplicates: 0 });
  expect(figures.backlog.arrivalPerSecond).toBeGreaterThan(0);
  expect(figures.backlog.drainPerSecond).toBeGreaterThan(0);
  // The invoices node is a new process: its memory is its own since the start.
  expect(Object.keys(figures.backlog.peakRssMb).sort()).toEqual(["api", "invoices-1", "orders-1"]);
});
