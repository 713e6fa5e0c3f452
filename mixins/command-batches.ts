import { context as traceContext, type Context as TraceContext } from "@opentelemetry/api";
import type { Context } from "moleculer";
import type { Transaction } from "sequelize";
import type { HttpMeta } from "../contracts/http";
import { GroupCommit, type Outcomes } from "./group-commit";
import { requestHash, type IdempotencyKeys, type Remembered } from "./idempotency";
import type { TableWrites } from "./table-writes";
import { linkToBatch } from "./trace-context";

/** An action's unit of work waiting for its transaction, with the trace of its call. */
interface Command {
  ctx: Context<unknown, HttpMeta>;
  work: (transaction: Transaction) => Promise<unknown>;
  trace: TraceContext;
}

/**
 * Group commit for action calls: calls of one action that arrive while its previous transaction
 * runs share the next one, in arrival order, each once per `Idempotency-Key` when it carries one.
 * If the shared transaction fails, each call runs again in a transaction of its own, so each caller
 * gets its own outcome. Rows left with `insertLater` go in with one INSERT at the end of the work.
 */
export class CommandBatches {
  private readonly batches = new Map<string, GroupCommit<Command, Remembered<unknown>>>();
  private readonly insertsOf = new WeakMap<Transaction, object[]>();

  constructor(
    private readonly transact: <T>(work: (transaction: Transaction) => Promise<T>) => Promise<T>,
    private readonly idempotencyKeys: IdempotencyKeys,
    private readonly writes: TableWrites,
    private readonly batchSize: number,
  ) {}

  run<T>(ctx: Context<unknown, HttpMeta>, work: (transaction: Transaction) => Promise<T>): Promise<Remembered<T>> {
    const action = ctx.action?.name ?? "";
    let batch = this.batches.get(action);
    if (!batch) {
      batch = new GroupCommit((together) => this.runTogether(together), this.batchSize);
      this.batches.set(action, batch);
    }
    return batch.add({ ctx, work, trace: traceContext.active() }) as Promise<Remembered<T>>;
  }

  /** A new row for the transaction's one INSERT; returned as it will read back, timestamps included. */
  insertLater<T extends object>(values: T, transaction: Transaction): T & { createdAt: string; updatedAt: string } {
    const rows = this.insertsOf.get(transaction);
    if (!rows) throw new Error("insertLater() outside idempotent(): the row would never be inserted");
    const now = new Date().toISOString();
    const row = { ...values, createdAt: now, updatedAt: now };
    rows.push(row);
    return row;
  }

  private async runTogether(together: Command[]): Promise<Outcomes<Remembered<unknown>>> {
    if (together.length === 1) return [await this.alone(together[0])];
    linkToBatch(together.map((command) => command.trace));
    try {
      const values = await traceContext.with(together[0].trace, () =>
        this.transactWithInserts(async (transaction) => {
          const results: Remembered<unknown>[] = [];
          for (const command of together) results.push(await this.runOne(command, transaction));
          return results;
        }),
      );
      return values.map((value) => ({ value }));
    } catch {
      const outcomes: Outcomes<Remembered<unknown>> = [];
      for (const command of together) outcomes.push(await this.alone(command));
      return outcomes;
    }
  }

  private alone(command: Command): Promise<Outcomes<Remembered<unknown>>[number]> {
    return traceContext
      .with(command.trace, () => this.transactWithInserts((transaction) => this.runOne(command, transaction)))
      .then(
        (value) => ({ value }),
        (error: unknown) => ({ error }),
      );
  }

  private runOne(command: Command, transaction: Transaction): Promise<Remembered<unknown>> {
    const key = command.ctx.meta.idempotencyKey;
    if (key === undefined) return command.work(transaction).then((body) => ({ body, replayed: false }));
    const hash = requestHash(command.ctx.action?.name ?? "", command.ctx.params);
    return this.idempotencyKeys.once(key, hash, transaction, () => command.work(transaction));
  }

  /** A transaction whose rows left for later are inserted, in one statement, when `work` is done. */
  private transactWithInserts<T>(work: (transaction: Transaction) => Promise<T>): Promise<T> {
    return this.transact(async (transaction) => {
      const rows: object[] = [];
      this.insertsOf.set(transaction, rows);
      const result = await work(transaction);
      await this.writes.insert(rows, transaction);
      return result;
    });
  }
}
