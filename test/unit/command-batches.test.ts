import { type Context, Errors, ServiceBroker } from "moleculer";
import type { Connection } from "../../mixins/db/sql";
import { DEADLINE } from "../../mixins/moleculer/deadlines.middleware";
import { CommandBatches, type CommandOptions } from "../../mixins/units/command-batches";
import type { IdempotencyKeys } from "../../mixins/units/idempotency";
import { UnitOfWork } from "../../mixins/units/unit-of-work";

/**
 * Group commit of action calls, in Moleculer's own style: one in-process broker, a service whose
 * actions run through CommandBatches, and units of work kept in memory instead of PostgreSQL (the
 * integration tests run them against the real one).
 */
describe("CommandBatches", () => {
  let broker: ServiceBroker;
  /** Every unit the batches ran, with how, and what its work left in it. */
  let units: Array<{ how: "transact" | "appendAtOnce"; unit: UnitOfWork }>;
  /** Set to make the next shared unit fail as its commit would. */
  let failNextUnit: Error | undefined;

  const run = async <T>(how: "transact" | "appendAtOnce", work: (unit: UnitOfWork) => Promise<T>): Promise<T> => {
    const unit = new UnitOfWork(how === "transact" ? ({} as Connection) : undefined);
    units.push({ how, unit });
    const result = await work(unit);
    const failure = failNextUnit;
    failNextUnit = undefined;
    if (failure) throw failure;
    return result;
  };
  // No Idempotency-Key in these calls: each request runs once, in order.
  const keys = {
    runOnce: async (requests: unknown[], _unit: UnitOfWork, each: (i: number) => Promise<unknown>) => {
      const results = [];
      for (let i = 0; i < requests.length; i++) results.push({ body: await each(i), replayed: false });
      return results;
    },
  } as unknown as IdempotencyKeys;

  beforeEach(async () => {
    units = [];
    failNextUnit = undefined;
    const batches = new CommandBatches(
      { transact: (work) => run("transact", work), appendAtOnce: (work) => run("appendAtOnce", work) },
      keys,
      50,
    );
    const command = (ctx: Context<{ n: number; locks?: string }>, options: CommandOptions) =>
      batches.command(
        ctx,
        async (unit) => {
          if (ctx.params.n < 0) throw new Errors.MoleculerClientError("No negative things", 409, "NEGATIVE");
          return unit.insert({ n: ctx.params.n });
        },
        options,
      );
    broker = new ServiceBroker({ logger: false });
    broker.createService({
      name: "things",
      actions: {
        add: (ctx: Context<{ n: number }>) => command(ctx, { appendOnly: true }),
        change: (ctx: Context<{ n: number; locks: string }>) => command(ctx, { locks: ctx.params.locks }),
      },
    });
    await broker.start();
  });

  afterEach(() => broker.stop());

  it("runs the calls of one turn in one unit, append-only without a transaction, each caller with its own answer", async () => {
    const answers = await Promise.all([1, 2, 3, 4, 5].map((n) => broker.call("things.add", { n })));
    expect(answers.map((answer: any) => answer.body.n)).toEqual([1, 2, 3, 4, 5]);
    expect(units.map(({ how, unit }) => ({ how, rows: unit.rows.map((row: any) => row.n) }))).toEqual([
      { how: "appendAtOnce", rows: [1, 2, 3, 4, 5] },
    ]);
  });

  it("runs a lone call at once, in a transaction when it reads", async () => {
    await broker.call("things.change", { n: 1, locks: "a" });
    expect(units.map(({ how }) => how)).toEqual(["transact"]);
  });

  it("runs a batch in the order of the rows its calls lock", async () => {
    await Promise.all(["c", "a", "b"].map((locks, n) => broker.call("things.change", { n, locks })));
    expect(units[0].unit.rows.map((row: any) => row.n)).toEqual([1, 2, 0]);
  });

  it("when one call fails the shared unit, runs each again alone: only that call fails", async () => {
    const answers = await Promise.allSettled([1, -1, 2].map((n) => broker.call("things.add", { n })));
    expect(
      answers.map((answer) =>
        answer.status === "fulfilled" ? (answer.value as any).body.n : (answer.reason as Errors.MoleculerError).type,
      ),
    ).toEqual([1, "NEGATIVE", 2]);
    expect(units.map(({ how, unit }) => `${how} ${unit.rows.length}`)).toEqual([
      "appendAtOnce 1",
      "transact 1",
      "transact 0",
      "transact 1",
    ]);
  });

  it("tells every caller OUTCOME_UNKNOWN when nobody knows whether the shared unit committed, and runs nothing again", async () => {
    failNextUnit = new Errors.MoleculerRetryableError("lost while committing", 503, "OUTCOME_UNKNOWN");
    const answers = await Promise.allSettled([1, 2].map((n) => broker.call("things.add", { n })));
    expect(answers.map((answer) => answer.status === "rejected" && (answer.reason as Errors.MoleculerError).type)).toEqual([
      "OUTCOME_UNKNOWN",
      "OUTCOME_UNKNOWN",
    ]);
    expect(units).toHaveLength(1);
  });

  it("refuses a call whose caller gives up within the margin, before anything is done", async () => {
    const late = broker.call("things.add", { n: 1 }, { headers: { [DEADLINE]: Date.now() + 500 } });
    await expect(late).rejects.toMatchObject({ code: 503, type: "DEADLINE_EXCEEDED" });
    expect(units).toEqual([]);
  });
});
