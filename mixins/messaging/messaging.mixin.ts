import { type Context, Errors, type ServiceSchema } from "moleculer";
import {
  type Acknowledgement,
  acknowledgementParams,
  MESSAGE_ACKNOWLEDGED,
  MESSAGE_REJECTED,
  type Rejection,
  rejectionParams,
} from "../../contracts/events/acknowledgement";
import { createEnvelope, type EventBatch, type EventContract, type EventEnvelope } from "../../contracts/events/envelope";
import { type IdParams, idParams } from "../../contracts/paging";
import { config } from "../config";
import { type DatabaseMethods, databaseOf } from "../db/database.mixin";
import { databaseReason } from "../db/errors";
import { purgeHourly } from "../db/expired-rows";
import { count, observe } from "../moleculer/metrics";
import { PROBE_OPTIONS } from "../moleculer/probe";
import { currentTraceparent, outsideTrace } from "../moleculer/trace-context";
import { sendInTraces } from "../moleculer/tracing.middleware";
import { type UnitOfWork, Units } from "../units/unit-of-work";
import { groupsServedBy, type NodeInfo, servedGroups, unreachableConsumers } from "./event-consumers";
import { Inbox } from "./inbox/inbox";
import { type Cause, type Effect, MessageBatches } from "./inbox/message-batches";
import { startOutboxGauges } from "./outbox/gauges";
import { Outbox, type OutboxReport, outgoing } from "./outbox/outbox";
import { Relay, relayOptions as relayOptionsOf } from "./outbox/relay";

/**
 * Thrown by an effect whose precondition is still on its way (the invoice of a cancelled order is not
 * issued yet…): the message is neither applied nor rejected, and the relay delivers it again later.
 */
export function notYet(message: string, data?: unknown): Errors.MoleculerRetryableError {
  return new Errors.MoleculerRetryableError(message, 503, "NOT_YET", data);
}

export interface MessagingOptions {
  /** the integration events this service emits: it is ready only once their consumers are known */
  publishes: readonly EventContract<unknown>[];
}

/** What the mixin adds to a service, for the service's own typing. */
export interface MessagingMethods {
  outboxReport(): Promise<OutboxReport>;
  /** Makes the pending messages owed to a consumer group that `node` serves due now, and kicks the relay. */
  bringForwardFor(node: NodeInfo): Promise<void>;
  /** What an action call causes: the request it belongs to, the call itself, its trace. */
  causedBy(ctx: Context): Cause;
  /** An event of this service, written with `unit`'s other writes and emitted once they have committed. */
  publish<T>(cause: Cause, unit: UnitOfWork, contract: EventContract<T>, data: T): void;
  /**
   * Applies a message once: checked against its contract, its inbox record and `effect` commit
   * together, then it is acknowledged. Messages arriving while a batch is applied form the next one
   * (one transaction, one acknowledgement per producer); when a batch fails, each of its messages is
   * tried alone, so one bad message holds up no other. A failure a retry cannot cure is reported as
   * a rejection. Resolves to the effect's result for this message; undefined for a duplicate, or
   * for a message not applied (logged in one line: it comes again, or was rejected).
   */
  consume<T, R = void>(ctx: Context<EventEnvelope<T>>, contract: EventContract<T>, effect: Effect<T, R>): Promise<R | undefined>;
}

/**
 * Reliable integration events over Moleculer's fire-and-forget ones (README: Guarantees):
 * transactional outbox + relay on the producing side, inbox + acknowledgement on the consuming
 * side, parking of messages that never get applied. Over the service's database (the db mixin's), in
 * whose migrations its tables are. It also runs the service's units of work (`this.units`,
 * units/unit-of-work.ts): what a unit writes at its end is its table's new rows beside its events'
 * outbox rows, emitted once committed.
 */
export function messagingMixin(options: MessagingOptions): Partial<ServiceSchema> {
  return {
    actions: {
      /**
       * Readiness: the database answers and every consumer of this service's events is known;
       * the answer carries the service's consistency report.
       */
      ready: {
        ...PROBE_OPTIONS,
        async handler(ctx: Context) {
          const consistency = await ctx.call(`${this.name}.consistencyReport`);
          const missing = unreachableConsumers(this.broker, options.publishes);
          if (missing.length > 0) {
            throw new Errors.MoleculerError("Event consumers not reachable yet", 503, "CONSUMERS_UNAVAILABLE", { missing });
          }
          return { status: "up", consistency };
        },
      },

      /** How far behind this service's events are (REPL `consistency`, `GET /ready`). */
      consistencyReport: {
        async handler() {
          return { outbox: await this.outboxReport() };
        },
      },

      /** Messages a consumer rejected `OUTBOX_MAX_FAILURES` times: kept, never dropped (REPL). */
      parkedMessages: {
        handler() {
          return this.outbox.parked();
        },
      },

      /** Puts a parked message back in line (REPL: `call orders.replayMessage --id …`). */
      replayMessage: {
        params: idParams,
        async handler(ctx: Context<IdParams>) {
          if (!(await this.outbox.replay(ctx.params.id))) {
            throw new Errors.MoleculerClientError("No parked message with this id", 404, "NOT_FOUND", { id: ctx.params.id });
          }
          this.relay.kick();
          return { id: ctx.params.id, replayed: true };
        },
      },
    },

    events: {
      /** A consumer group applied one of our messages. */
      [MESSAGE_ACKNOWLEDGED]: {
        params: acknowledgementParams,
        async handler(ctx: Context<Acknowledgement>) {
          try {
            await this.outbox.acknowledge(ctx.params.messageIds, ctx.params.group);
          } finally {
            this.relay.answered(ctx.params.messageIds.length);
          }
        },
      },

      /** A consumer group could not apply one of our messages. */
      [MESSAGE_REJECTED]: {
        params: rejectionParams,
        async handler(ctx: Context<Rejection>) {
          this.logger.warn(`Message ${ctx.params.messageId} rejected by ${ctx.params.group}: ${ctx.params.error}`);
          try {
            await this.outbox.reject(ctx.params.messageId, `${ctx.params.group}: ${ctx.params.error}`, config().OUTBOX_MAX_FAILURES);
          } finally {
            this.relay.answered(1);
          }
        },
      },

      /** A node (re)joined: what waits for a consumer group it serves is due now, not after its backoff. */
      "$node.connected": {
        handler(ctx: Context<{ node: NodeInfo }>) {
          return this.bringForwardFor(ctx.params.node);
        },
      },

      /** A node announced its services anew: its first announcement may come before its services have started. */
      "$node.updated": {
        handler(ctx: Context<{ node: NodeInfo }>) {
          return this.bringForwardFor(ctx.params.node);
        },
      },
    },

    methods: {
      outboxReport(): Promise<OutboxReport> {
        return this.outbox.report(config().OUTBOX_STUCK_AFTER_SECONDS);
      },

      async bringForwardFor(node: NodeInfo): Promise<void> {
        const groups = groupsServedBy(node);
        if (groups.length === 0) return;
        const due = await this.outbox.makeDueFor(groups);
        if (due > 0) this.logger.info(`Node ${node.id} serves ${groups.join(", ")}: ${due} pending message(s) due now`);
        this.relay.kick();
      },

      causedBy(ctx: Context): Cause {
        return { correlationId: ctx.requestID ?? ctx.id, causationId: ctx.id, traceparent: currentTraceparent() };
      },

      publish<T>(cause: Cause, unit: UnitOfWork, contract: EventContract<T>, data: T) {
        unit.publish(outgoing(createEnvelope(contract, data, { ...cause, source: this.name }), contract.consumers));
      },

      async consume<T, R>(ctx: Context<EventEnvelope<T>>, contract: EventContract<T>, effect: Effect<T, R>) {
        try {
          return await this.messageBatches.consume(ctx.params, contract, effect);
        } catch (err) {
          // Answered already (a rejection to its producer, or nothing: the relay delivers it again), so
          // the handler does not fail: one line, at the level of what happened, a stack only for a fault.
          const what = `${contract.name} ${ctx.params?.id} not applied`;
          if (err instanceof Errors.MoleculerRetryableError) {
            const reason = databaseReason(err);
            this.logger.info(`${what} yet (${err.type}${reason ? `, the database said: ${reason}` : ""}): ${err.message}; it comes again`);
          } else if (err instanceof Errors.MoleculerError) this.logger.warn(`${what}, rejected (${err.type}): ${err.message}`);
          else this.logger.error(`${what}, rejected:`, err);
          return undefined;
        }
      },
    },

    created() {
      const { INBOX_RETENTION_DAYS, CONSUMER_BATCH_SIZE } = config();
      const relayOptions = relayOptionsOf(config());
      const { sequelize, writes } = databaseOf(this);
      const outbox = new Outbox(sequelize);
      const inbox = new Inbox(sequelize, INBOX_RETENTION_DAYS);
      this.outbox = outbox;
      this.inbox = inbox;
      this.units = new Units(sequelize, {
        table: writes,
        outbox,
        outboxDueInMs: relayOptions.retryBaseMs,
        // The emits are no part of the unit's trace: each continues its own message's.
        committed: (unit) => {
          const byType = new Map<string, number>();
          for (const { envelope } of unit.events) byType.set(envelope.type, (byType.get(envelope.type) ?? 0) + 1);
          for (const [type, events] of byType) count(this.broker, "events.committed.total", { service: this.name, type }, events);
          if (unit.events.length > 0) outsideTrace(() => this.relay.dispatch(unit.events));
        },
      });
      this.messageBatches = new MessageBatches(
        inbox,
        {
          group: this.name,
          transact: (work) => this.units.transact(work),
          reply: (event, payload, producer) => this.broker.emit(event, payload, { groups: [producer] }),
          applied: (event, messages) => observe(this.broker, "consumer.batch_size", messages, { service: this.name, event }),
        },
        { maxSize: CONSUMER_BATCH_SIZE, maxBytes: relayOptions.batchBytes },
      );
      this.relay = new Relay(
        outbox,
        {
          servedGroups: (type) => servedGroups(this.broker, type),
          emit: (type, envelopes, groups) =>
            sendInTraces(
              type,
              envelopes.map((envelope) => envelope.traceparent),
              (sentFrom) => {
                const batch: EventBatch<unknown> = { batch: envelopes.map((envelope, i) => ({ ...envelope, traceparent: sentFrom[i] })) };
                return this.broker.emit(type, batch, { groups });
              },
            ),
        },
        relayOptions,
        this.logger,
      );
    },

    async started() {
      // The relay claims outbox rows: not before the outbox table is there.
      await (this as unknown as DatabaseMethods).migrated();
      if (config().OUTBOX_RELAY_ENABLED === "true") this.relay.start();
      // The outbox gauges (pending, oldest pending, parked), kept current while metrics are on.
      this.outboxGauges = startOutboxGauges(this.broker, this.name, () => this.outboxReport());
      // Inbox records older than INBOX_RETENTION_DAYS, a batch at a time.
      this.inboxPurges = purgeHourly("inbox records", () => this.inbox.purgeExpired(), this.logger);
    },

    async stopped() {
      clearInterval(this.outboxGauges);
      clearInterval(this.inboxPurges);
      await this.relay.stop();
    },
  };
}
