import Validator from "fastest-validator";
import { Errors, type Context, type ServiceSchema } from "moleculer";
import type { Sequelize, Transaction } from "sequelize";
import {
  MESSAGE_ACKNOWLEDGED,
  MESSAGE_REJECTED,
  acknowledgementParams,
  rejectionParams,
  type Acknowledgement,
  type Rejection,
} from "../contracts/events/acknowledgement";
import { createEnvelope, type EventContract, type EventEnvelope } from "../contracts/events/envelope";
import { idParams, type IdParams } from "../contracts/paging";
import { currentTraceparent, outsideTrace, withTraceparent } from "./trace-context";
import { toServiceError } from "./database-errors";
import { Inbox } from "./inbox";
import { Outbox, type OutboxReport } from "./outbox";
import { Relay, relayOptionsFromEnv } from "./relay";

const OUTBOX_GAUGES = {
  "outbox.pending": "Outbox messages some consumer has not acknowledged yet",
  "outbox.oldest_pending_seconds": "Age of the oldest pending outbox message",
  "outbox.parked": "Outbox messages parked after repeated rejections",
};

/**
 * Thrown by an effect whose precondition is still on its way (the invoice of a cancelled order is not
 * issued yet…): the message is neither applied nor rejected, and the relay delivers it again later.
 */
export function notYet(message: string, data?: unknown): Errors.MoleculerRetryableError {
  return new Errors.MoleculerRetryableError(message, 503, "NOT_YET", data);
}

/** What the mixin adds to a service, for the service's own typing. */
export interface MessagingMethods {
  outboxReport(): Promise<OutboxReport>;
  /** Keeps the outbox gauges (pending, oldest pending, parked) current while metrics are on. */
  startOutboxGauges(): void;
  /** Writes the event to the outbox in `transaction`; the relay emits it once that commits. */
  publish<T>(ctx: Context, transaction: Transaction, contract: EventContract<T>, data: T): Promise<void>;
  /**
   * Applies a message once: checked against its contract, its inbox record and `effect` commit
   * together, then it is acknowledged. A failure a retry cannot cure is reported as a rejection.
   */
  consumeOnce<T>(
    ctx: Context<EventEnvelope<T>>,
    contract: EventContract<T>,
    effect: (transaction: Transaction) => Promise<void>,
  ): Promise<void>;
}

/**
 * Reliable integration events over Moleculer's fire-and-forget ones (ARCHITECTURE §4):
 * transactional outbox + relay on the producing side, inbox + acknowledgement on the consuming
 * side, parking of messages that never get applied. Composed by the db mixin, over its database.
 */
export function messagingMixin(sequelize: Sequelize): Partial<ServiceSchema> {
  const outbox = new Outbox(sequelize);
  const inbox = new Inbox(sequelize);
  const maxFailures = Number(process.env.OUTBOX_MAX_FAILURES ?? 5);
  const validator = new Validator();
  const checks = new Map<string, (value: unknown) => true | unknown[]>();
  const checkOf = (contract: EventContract<unknown>) => {
    if (!checks.has(contract.name)) checks.set(contract.name, validator.compile(contract.params) as never);
    return checks.get(contract.name)!;
  };

  return {
    actions: {
      /** How far behind this service's events are (REPL `consistency`, `GET /ready`). */
      consistencyReport: {
        async handler() {
          return { outbox: await this.outboxReport() };
        },
      },

      /** Messages a consumer rejected `OUTBOX_MAX_FAILURES` times: kept, never dropped (REPL). */
      parkedMessages: {
        handler() {
          return outbox.parked();
        },
      },

      /** Puts a parked message back in line (REPL: `call orders.replayMessage --id …`). */
      replayMessage: {
        params: idParams,
        async handler(ctx: Context<IdParams>) {
          if (!(await outbox.replay(ctx.params.id))) {
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
          await outbox.acknowledge(ctx.params.messageId, ctx.params.group);
        },
      },

      /** A consumer group could not apply one of our messages. */
      [MESSAGE_REJECTED]: {
        params: rejectionParams,
        async handler(ctx: Context<Rejection>) {
          this.logger.warn(`Message ${ctx.params.messageId} rejected by ${ctx.params.group}: ${ctx.params.error}`);
          await outbox.reject(ctx.params.messageId, `${ctx.params.group}: ${ctx.params.error}`, maxFailures);
        },
      },

      /** A node (re)joined: whatever waits for it is due now, not after its backoff. */
      async "$node.connected"() {
        await outbox.makeAllDue();
        this.relay.kick();
      },
    },

    methods: {
      outboxReport(): Promise<OutboxReport> {
        return outbox.report();
      },

      startOutboxGauges() {
        const metrics = this.broker.metrics;
        if (!this.broker.isMetricsEnabled()) return;
        for (const [name, description] of Object.entries(OUTBOX_GAUGES)) {
          if (!metrics.getMetric(name)) metrics.register({ type: "gauge", name, description, labelNames: ["service"] });
        }
        const update = async () => {
          const report = await outbox.report();
          const labels = { service: this.name };
          metrics.set("outbox.pending", report.pending, labels);
          metrics.set("outbox.oldest_pending_seconds", report.oldestPendingSeconds, labels);
          metrics.set("outbox.parked", report.parked, labels);
        };
        this.outboxGauges = setInterval(() => update().catch((err) => this.logger.warn(`Outbox gauges: ${err.message}`)), 5_000);
        void update().catch(() => undefined);
      },

      async publish<T>(ctx: Context, transaction: Transaction, contract: EventContract<T>, data: T) {
        // Caused by the message being handled, or else by the action call.
        const causationId = ctx.eventName ? (ctx.params as EventEnvelope<unknown>).id : ctx.id;
        const envelope = createEnvelope(contract, data, {
          correlationId: ctx.requestID ?? ctx.id,
          causationId,
          source: this.name,
          traceparent: currentTraceparent(),
        });
        await outbox.add(envelope, contract.consumers, transaction);
        // The relay's pass is no part of this request's trace; each emit continues its own message's.
        transaction.afterCommit(() => outsideTrace(() => this.relay.kick()));
      },

      async consumeOnce<T>(
        ctx: Context<EventEnvelope<T>>,
        contract: EventContract<T>,
        effect: (transaction: Transaction) => Promise<void>,
      ) {
        const message = ctx.params;
        const reply = { messageId: message.id, group: this.name };
        try {
          const problems = checkOf(contract as EventContract<unknown>)(message);
          if (problems !== true) throw new Errors.ValidationError(`Invalid ${contract.name} message`, "INVALID_MESSAGE", problems);
          await sequelize.transaction(async (transaction) => {
            if (await inbox.record(message.id, message.type, transaction)) await effect(transaction);
          });
        } catch (err) {
          const cause = toServiceError(err);
          // A database outage is not the message's fault: stay silent and let the relay retry.
          if (!(cause instanceof Errors.MoleculerRetryableError) && message?.source) {
            const error = err instanceof Error ? err.message : String(err);
            await this.broker.emit(MESSAGE_REJECTED, { ...reply, error } satisfies Rejection, { groups: [message.source] });
          }
          throw cause;
        }
        await this.broker.emit(MESSAGE_ACKNOWLEDGED, reply satisfies Acknowledgement, { groups: [message.source] });
      },
    },

    created() {
      this.relay = new Relay(
        sequelize,
        outbox,
        {
          knownGroups: (type) => this.broker.getEventGroups(type),
          emit: (envelope, groups) => withTraceparent(envelope.traceparent, () => this.broker.emit(envelope.type, envelope, { groups })),
        },
        relayOptionsFromEnv(),
        this.logger,
      );
    },

    async stopped() {
      clearInterval(this.outboxGauges);
      await this.relay.stop();
    },
  };
}
