import { type Context as TraceContext, context as traceContext } from "@opentelemetry/api";
import { type Context, Errors } from "moleculer";
import type { HttpMeta } from "../../contracts/http";
import { remainingMs } from "../moleculer/deadlines.middleware";
import { linkToBatch } from "../moleculer/trace-context";
import { GroupCommit, type Outcomes } from "./group-commit";
import { type IdempotencyKeys, type Remembered, requestHash } from "./idempotency";
import type { UnitOfWork } from "./unit-of-work";

/** An action's unit of work waiting for its turn, with the trace of its call. */
interface Command {
  ctx: Context<unknown, HttpMeta>;
  work: (unit: UnitOfWork) => Promise<unknown>;
  /** the work only leaves rows and events for later, and reads nothing */
  appendOnly: boolean;
  /** the row the work locks, if any: a batch runs its commands in this order, the one global order of row locks */
  locks?: string;
  trace: TraceContext;
}

/** How a command runs in its batch. */
export interface CommandOptions {
  /** its work only leaves rows and events in its unit of work, and reads nothing */
  appendOnly?: boolean;
  /** the id of the row its work locks */
  locks?: string;
}

/** What the batches need from the service's messaging: the two ways to run a unit of work. */
export interface CommandPorts {
  transact<T>(work: (unit: UnitOfWork) => Promise<T>): Promise<T>;
  appendAtOnce<T>(work: (unit: UnitOfWork) => Promise<T>): Promise<T>;
}

/**
 * A command whose caller gives up in less than this is not started: by the time it committed, the
 * caller would have answered its client 503, and a client retrying without a key would create it twice.
 */
export const DEADLINE_MARGIN_MS = 1_000;

function deadlineExceeded(): Errors.MoleculerRetryableError {
  return new Errors.MoleculerRetryableError(
    "The request waited too long to be taken up; nothing was done, retry later",
    503,
    "DEADLINE_EXCEEDED",
  );
}

const byLock = (a: Command, b: Command) => (a.locks ?? "").localeCompare(b.locks ?? "");

/**
 * Group commit for action calls: calls of one action that arrive while its previous batch is being
 * committed share the next one, each once per `Idempotency-Key` when it carries one (a replay says so
 * in its `Idempotent-Replayed` header), in the order of
 * the rows they lock. If the shared commit fails, and surely did not commit, each call runs again on
 * its own, so each caller gets its own outcome; if nobody can tell whether it committed, each caller
 * is told so (`OUTCOME_UNKNOWN`) rather than risk doing it twice. A call whose caller is about to give
 * up is refused (`DEADLINE_EXCEEDED`) before anything is done.
 *
 * A batch of append-only calls none of which carries an Idempotency-Key (POST /orders, mostly) needs
 * no transaction: its rows and outbox rows go in as one statement, in one round trip instead of four.
 */
export class CommandBatches {
  private readonly batches = new Map<string, GroupCommit<Command, Remembered<unknown>>>();

  constructor(
    private readonly ports: CommandPorts,
    private readonly idempotencyKeys: IdempotencyKeys,
    private readonly batchSize: number,
  ) {}

  run<T>(
    ctx: Context<unknown, HttpMeta>,
    work: (unit: UnitOfWork) => Promise<T>,
    { appendOnly = false, locks }: CommandOptions = {},
  ): Promise<Remembered<T>> {
    const action = ctx.action?.name ?? "";
    let batch = this.batches.get(action);
    if (!batch) {
      batch = new GroupCommit((together) => this.runInTime(together), this.batchSize);
      this.batches.set(action, batch);
    }
    const outcome = batch.add({ ctx, work, appendOnly, locks, trace: traceContext.active() }) as Promise<Remembered<T>>;
    return outcome.then((remembered) => {
      if (remembered.replayed) ctx.meta.$responseHeaders = { ...ctx.meta.$responseHeaders, "Idempotent-Replayed": "true" };
      return remembered;
    });
  }

  /** Refuses the commands whose callers are about to give up, runs the others together in lock order. */
  private async runInTime(commands: Command[]): Promise<Outcomes<Remembered<unknown>>> {
    const due = commands.map((_, i) => i).filter((i) => remainingMs(commands[i].ctx) > DEADLINE_MARGIN_MS);
    due.sort((a, b) => byLock(commands[a], commands[b]));
    const ran = due.length > 0 ? await this.runTogether(due.map((i) => commands[i])) : [];
    const outcomes: Outcomes<Remembered<unknown>> = new Array(commands.length);
    due.forEach((i, j) => {
      outcomes[i] = ran[j];
    });
    for (let i = 0; i < commands.length; i++) outcomes[i] ??= { error: deadlineExceeded() };
    return outcomes;
  }

  private async runTogether(together: Command[]): Promise<Outcomes<Remembered<unknown>>> {
    const atOnce = together.every((command) => command.appendOnly && command.ctx.meta.idempotencyKey === undefined);
    if (together.length === 1 && !atOnce) return [await this.alone(together[0])];
    linkToBatch(together.map((command) => command.trace));
    const runAll = (unit: UnitOfWork) => this.runEach(together, unit);
    try {
      const values = await traceContext.with(together[0].trace, () =>
        atOnce ? this.ports.appendAtOnce(runAll) : this.ports.transact(runAll),
      );
      return values.map((value) => ({ value }));
    } catch (err) {
      if (together.length === 1 || (err as Errors.MoleculerError).type === "OUTCOME_UNKNOWN") return together.map(() => ({ error: err }));
      const outcomes: Outcomes<Remembered<unknown>> = [];
      for (const command of together) outcomes.push(await this.alone(command));
      return outcomes;
    }
  }

  private alone(command: Command): Promise<Outcomes<Remembered<unknown>>[number]> {
    return traceContext
      .with(command.trace, () => this.ports.transact(async (unit) => (await this.runEach([command], unit))[0]))
      .then(
        (value) => ({ value }),
        (error: unknown) => ({ error }),
      );
  }

  /** Each command's work in turn, once per Idempotency-Key. */
  private runEach(commands: Command[], unit: UnitOfWork): Promise<Remembered<unknown>[]> {
    const requests = commands.map(({ ctx }) => {
      const key = ctx.meta.idempotencyKey;
      return key === undefined ? undefined : { key, hash: requestHash(ctx.action?.name ?? "", ctx.params) };
    });
    return this.idempotencyKeys.runOnce(requests, unit, (i) => commands[i].work(unit));
  }
}
