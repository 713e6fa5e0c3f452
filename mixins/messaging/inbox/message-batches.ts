import { type Context as TraceContext, context as traceContext } from "@opentelemetry/api";
import Validator from "fastest-validator";
import { Errors } from "moleculer";
import { type Acknowledgement, MESSAGE_ACKNOWLEDGED, MESSAGE_REJECTED, type Rejection } from "../../../contracts/events/acknowledgement";
import type { EventContract, EventEnvelope } from "../../../contracts/events/envelope";
import { toServiceError } from "../../db/errors";
import { currentTraceparent, linkToBatch } from "../../moleculer/trace-context";
import { GroupCommit, type Outcomes } from "../../units/group-commit";
import type { UnitOfWork } from "../../units/unit-of-work";
import type { Inbox } from "./inbox";

/** What an event published by this service was caused by: goes into its envelope. */
export interface Cause {
  correlationId: string;
  causationId: string;
  traceparent?: string;
}

/** A message being applied, and the cause of the events it leads to. */
export interface Consumed<T> {
  envelope: EventEnvelope<T>;
  cause: Cause;
}

/**
 * Applies messages of one type, each seen for the first time, in the batch's transaction. It may
 * return a result per message (in their order), which that message's `consume` resolves to.
 */
export type Effect<T, R> = (messages: Consumed<T>[], unit: UnitOfWork) => Promise<R[]> | Promise<void>;

/** What the consumer needs from its service. */
export interface ConsumerPorts {
  /** the consumer group: the service's name */
  group: string;
  transact<T>(work: (unit: UnitOfWork) => Promise<T>): Promise<T>;
  /** Sends an acknowledgement or rejection to the producing service only. */
  reply(event: string, payload: Acknowledgement | Rejection, producer: string): Promise<unknown>;
  /** Hears of each transaction that applied messages of `event`, and how many (the batch's size). */
  applied(event: string, messages: number): void;
}

/**
 * How much one transaction applies: at most `maxSize` messages, and `maxBytes` of them as JSON (a
 * batch's rows go to the database in one statement; a message bigger than that goes alone).
 */
export interface BatchBounds {
  maxSize: number;
  maxBytes: number;
}

/** One message waiting for its batch, with the trace its handler runs in. */
interface Delivery extends Consumed<unknown> {
  trace: TraceContext;
}

/**
 * The idempotent consumer (README: Guarantees), batched: messages of one type that arrive while a batch
 * is being applied form the next one: one transaction, one inbox INSERT, one acknowledgement per
 * producer. A failed batch is tried again message by message, so one bad message holds up no other
 * and only it is rejected.
 */
export class MessageBatches {
  private readonly batches = new Map<string, GroupCommit<Delivery, unknown>>();
  private readonly checks = new Map<string, (value: unknown) => true | unknown[]>();
  private readonly validator = new Validator();

  constructor(
    private readonly inbox: Inbox,
    private readonly ports: ConsumerPorts,
    private readonly bounds: BatchBounds,
  ) {}

  /** Queues the message for the next batch of its type; resolves to its effect's result, undefined for a duplicate. */
  consume<T, R>(envelope: EventEnvelope<T>, contract: EventContract<T>, effect: Effect<T, R>): Promise<R | undefined> {
    let batch = this.batches.get(contract.name);
    if (!batch) {
      batch = new GroupCommit<Delivery, unknown>((deliveries) => this.apply(contract, effect, deliveries), this.bounds.maxSize, {
        max: this.bounds.maxBytes,
        of: (delivery) => Buffer.byteLength(JSON.stringify(delivery.envelope)),
      });
      this.batches.set(contract.name, batch);
    }
    const cause = { correlationId: envelope?.correlationId, causationId: envelope?.id, traceparent: currentTraceparent() };
    return batch.add({ envelope, cause, trace: traceContext.active() }) as Promise<R | undefined>;
  }

  /** Checks each message, applies the valid ones (all at once, else one by one), then answers each producer. */
  private async apply<T, R>(contract: EventContract<T>, effect: Effect<T, R>, deliveries: Delivery[]): Promise<Outcomes<R | undefined>> {
    const check = this.checkOf(contract as EventContract<unknown>);
    const outcomes: Outcomes<R | undefined> = deliveries.map((delivery) => {
      const problems = check(delivery.envelope);
      return problems === true
        ? { value: undefined }
        : { error: new Errors.ValidationError(`Invalid ${contract.name} message`, "INVALID_MESSAGE", problems) };
    });
    const valid = deliveries.flatMap((_, i) => ("error" in outcomes[i] ? [] : [i]));
    const applyGroup = async (indexes: number[]) => {
      const group = indexes.map((i) => deliveries[i]);
      const results = await traceContext.with(group[0].trace, () => this.applyTogether(contract, effect, group));
      this.ports.applied(contract.name, group.length);
      for (const i of indexes) outcomes[i] = { value: results.get(deliveries[i]) };
    };
    linkToBatch(valid.map((i) => deliveries[i].trace));
    try {
      if (valid.length > 0) await applyGroup(valid);
    } catch (err) {
      if (valid.length === 1) outcomes[valid[0]] = { error: toServiceError(err) };
      else {
        for (const i of valid) await applyGroup([i]).catch((alone) => (outcomes[i] = { error: toServiceError(alone) }));
      }
    }
    await traceContext.with(deliveries[0].trace, () => this.answer(deliveries, outcomes));
    return outcomes;
  }

  /** One transaction: the inbox keeps the first delivery of each new message, the effect applies those. */
  private applyTogether<T, R>(contract: EventContract<T>, effect: Effect<T, R>, deliveries: Delivery[]): Promise<Map<Delivery, R>> {
    return this.ports.transact(async (unit) => {
      const fresh = await this.inbox.record(
        deliveries.map((delivery) => delivery.envelope.id),
        contract.name,
        unit.connection,
      );
      const firsts = deliveries.filter((delivery) => fresh.delete(delivery.envelope.id));
      if (firsts.length === 0) return new Map();
      const results = (await effect(firsts as Consumed<T>[], unit)) ?? [];
      return new Map(firsts.map((delivery, i) => [delivery, results[i]]));
    });
  }

  /**
   * One acknowledgement per producer for what was applied (or had been); a rejection for each
   * message a retry cannot cure. A retryable failure (database down, NOT_YET) sends nothing: the
   * relay will deliver the message again.
   */
  private async answer(deliveries: Delivery[], outcomes: Outcomes<unknown>): Promise<void> {
    const applied = new Map<string, string[]>();
    const replies: Promise<unknown>[] = [];
    deliveries.forEach(({ envelope }, i) => {
      const outcome = outcomes[i];
      if (!envelope?.source) return;
      if (!("error" in outcome)) applied.set(envelope.source, [...(applied.get(envelope.source) ?? []), envelope.id]);
      else if (!(outcome.error instanceof Errors.MoleculerRetryableError)) {
        const error = outcome.error instanceof Error ? outcome.error.message : String(outcome.error);
        replies.push(this.ports.reply(MESSAGE_REJECTED, { messageId: envelope.id, group: this.ports.group, error }, envelope.source));
      }
    });
    for (const [source, messageIds] of applied) {
      replies.push(this.ports.reply(MESSAGE_ACKNOWLEDGED, { messageIds, group: this.ports.group }, source));
    }
    await Promise.all(replies);
  }

  /** The contract's compiled check of a whole envelope, compiled once. */
  private checkOf(contract: EventContract<unknown>): (value: unknown) => true | unknown[] {
    if (!this.checks.has(contract.name)) this.checks.set(contract.name, this.validator.compile(contract.params) as never);
    return this.checks.get(contract.name)!;
  }
}
