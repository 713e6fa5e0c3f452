import { type Context as TraceContext, context as traceContext } from "@opentelemetry/api";
import { type Context, Errors, type ServiceSchema } from "moleculer";
import type { HttpMeta } from "../../contracts/http";
import { config } from "../config";
import { databaseOf } from "../db/database.mixin";
import { purgeHourly } from "../db/expired-rows";
import { remainingMs } from "../moleculer/deadlines.middleware";
import { linkToBatch } from "../moleculer/trace-context";
import { GroupCommit, type Outcomes } from "./group-commit";
import { IdempotencyKeys, type Remembered, requestHash } from "./idempotency";
import type { UnitOfWork, Units } from "./unit-of-work";

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

/** What the commands mixin adds to a service, for the service's own typing. */
export interface CommandMethods {
  /**
   * Runs a client's command: `work` in a unit of work, once per `Idempotency-Key` when the request
   * carries one. Calls of one action that arrive while its previous unit commits share the next one
   * (group commit), in the order of the row each locks (`locks`: its id); if it fails, each runs again
   * alone, so each caller gets its own outcome. `appendOnly` work only leaves new rows (`unit.insert`)
   * and events, and reads nothing: calls without an Idempotency-Key, batched together, then need no
   * transaction, their rows and outbox rows going in as one statement. New rows' constraint
   * violations surface at that statement and fail the batch, whose commands then run again alone.
   */
  command<T>(ctx: Context<unknown, HttpMeta>, work: (unit: UnitOfWork) => Promise<T>, options?: CommandOptions): Promise<Remembered<T>>;
}

/**
 * `command` for a service's actions: their units of work run by the messaging mixin (`this.units`),
 * their Idempotency-Keys in the db mixin's database. Keys past their 24 hours are purged hourly.
 */
export function commandsMixin(): Partial<ServiceSchema> {
  return {
    methods: {
      command<T>(ctx: Context<unknown, HttpMeta>, work: (unit: UnitOfWork) => Promise<T>, options?: CommandOptions) {
        return (this.commandBatches as CommandBatches).command(ctx, work, options);
      },
    },

    created() {
      this.idempotencyKeys = new IdempotencyKeys(databaseOf(this).sequelize);
    },

    started() {
      // Made now, when every mixin has been created, whatever order the service lists them in.
      this.commandBatches = new CommandBatches(this.units, this.idempotencyKeys, config().COMMAND_BATCH_SIZE);
      this.keyPurges = purgeHourly("Idempotency-Keys", () => this.idempotencyKeys.purgeExpired(), this.logger);
    },

    stopped() {
      clearInterval(this.keyPurges);
    },
  };
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
    private readonly units: Pick<Units, "transact" | "appendAtOnce">,
    private readonly idempotencyKeys: IdempotencyKeys,
    private readonly batchSize: number,
  ) {}

  command<T>(
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
        atOnce ? this.units.appendAtOnce(runAll) : this.units.transact(runAll),
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
      .with(command.trace, () => this.units.transact(async (unit) => (await this.runEach([command], unit))[0]))
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
