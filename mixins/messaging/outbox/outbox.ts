import { QueryTypes, type Sequelize } from "sequelize";
import type { EventEnvelope } from "../../../contracts/events/envelope";
import { type BoundStatement, SqlStatement } from "../../db/sql";

/** A message the relay still has to get acknowledged. */
export interface PendingMessage {
  id: string;
  type: string;
  envelope: EventEnvelope<unknown>;
  /** the envelope's size as PostgreSQL writes it out (a little more than on the wire) */
  bytes: number;
  consumers: string[];
  acked_by: string[];
}

/** An event on its way into the outbox, with the groups that must acknowledge it. */
export interface OutgoingMessage {
  envelope: EventEnvelope<unknown>;
  /** the envelope as JSON, written once: the outbox row is made of it, and the relay sizes batches by it */
  json: string;
  consumers: readonly string[];
}

/** An event on its way, its envelope written out once. */
export function outgoing(envelope: EventEnvelope<unknown>, consumers: readonly string[]): OutgoingMessage {
  return { envelope, json: JSON.stringify(envelope), consumers };
}

/** How far this service's outbox is behind. */
export interface OutboxReport {
  /** messages some consumer has not acknowledged yet */
  pending: number;
  /** age of the oldest of them, 0 when none */
  oldestPendingSeconds: number;
  /** those of them pending for longer than `OUTBOX_STUCK_AFTER_SECONDS` */
  stuck: number;
  parked: number;
}

export interface ParkedMessage {
  id: string;
  type: string;
  attempts: number;
  failures: number;
  consumers: string[];
  ackedBy: string[];
  lastError: string | null;
  createdAt: string;
  parkedAt: string;
}

/** A transaction's events in one statement: `$1` is the messages as JSON, `$2` when the relay may first look. */
const ADD = new SqlStatement(
  (param) =>
    `INSERT INTO outbox (id, type, envelope, consumers, next_attempt_at)
     SELECT (r->'envelope'->>'id')::uuid, r->'envelope'->>'type', r->'envelope',
            ARRAY(SELECT jsonb_array_elements_text(r->'consumers')),
            now() + ${param(2)}::integer * interval '1 millisecond'
     FROM jsonb_array_elements(${param(1)}::jsonb) AS r`,
  { prepareAs: "outbox add" },
);

/**
 * Group `$2` has applied messages `$1`. One every group has applied is delivered and goes: a DELETE
 * costs PostgreSQL less than marking it (an UPDATE that leaves the pending index is never HOT), and
 * the outbox keeps only what is still owed. The others record the group.
 *
 * The DELETE sees the rows as committed when the statement began; another group's acknowledgement
 * committed since is seen only by the UPDATE, which waits for the row and appends to its latest
 * version. So when the last two groups acknowledge at the same moment neither DELETE fires: the
 * UPDATE returns the messages its append made delivered, for a second statement to delete (one
 * statement cannot delete a row version it has just written).
 */
const ACKNOWLEDGE = new SqlStatement<{ id: string }>(
  `WITH delivered AS (
     DELETE FROM outbox WHERE id = ANY ($1::uuid[]) AND consumers <@ array_append(acked_by, $2::text) RETURNING id),
   acknowledged AS (
     UPDATE outbox SET acked_by = array_append(acked_by, $2::text)
     WHERE id = ANY ($1::uuid[]) AND NOT ($2::text = ANY (acked_by)) AND id NOT IN (SELECT id FROM delivered)
     RETURNING id, consumers <@ acked_by AS delivered)
   SELECT id FROM acknowledged WHERE delivered`,
);

/** Of messages `$1`, deletes those every group has acknowledged. */
const DELETE_DELIVERED = new SqlStatement(`DELETE FROM outbox WHERE id = ANY ($1::uuid[]) AND consumers <@ acked_by`);

/** SQL over the `outbox` table: what a unit of work adds to it, and what the relay and reports read and change. */
export class Outbox {
  constructor(private readonly sequelize: Sequelize) {}

  /**
   * The statement that writes events, to run with the unit of work's other writes; undefined when
   * nothing is owed. The relay's first look is `dueInMs` away: the producer emits them itself right
   * after the commit, and the rows are the fallback. One nobody consumes has nothing to wait for and
   * is not written.
   */
  addition(messages: OutgoingMessage[], dueInMs: number): BoundStatement | undefined {
    const owed = messages.filter((message) => message.consumers.length > 0);
    if (owed.length === 0) return undefined;
    const rows = owed.map(({ json, consumers }) => `{"envelope":${json},"consumers":${JSON.stringify(consumers)}}`);
    return { statement: ADD, values: [`[${rows.join(",")}]`, dueInMs] };
  }

  /**
   * Claims up to `limit` due messages in one statement: each has its attempt counted and its next
   * attempt put off by the backoff (base, 2×base, 4×base… capped at max) before it is emitted, so a
   * relay that dies mid-pass leaves them due again later. Rows another relay holds are skipped.
   * The longest due come first, in the due index's own order: the scan stops at the limit however
   * large a backlog has grown (ordered by creation, PostgreSQL read and sorted all of it).
   *
   * Sorting is off for the statement: statistics that say the outbox is small (never analysed,
   * autovacuum off or not yet round after a burst) made PostgreSQL fetch every due row and sort them
   * for each pass instead, a cost growing with the backlog on every pass. `SET LOCAL` holds for the
   * one implicit transaction of a query of two statements, so the query stays one text with its values
   * inlined (a prepared statement, or `bind`, takes one command) and runs outside any transaction of
   * the caller's (where the setting would last to its end).
   */
  claimDue(limit: number, backoff: { baseMs: number; maxMs: number }): Promise<PendingMessage[]> {
    return this.sequelize.query<PendingMessage>(
      `SET LOCAL enable_sort = off;
       UPDATE outbox SET attempts = attempts + 1,
         next_attempt_at = now() + least(:baseMs * power(2, least(attempts, 30)), :maxMs) * interval '1 millisecond'
       WHERE id IN (SELECT id FROM outbox
                    WHERE parked_at IS NULL AND next_attempt_at <= now()
                    ORDER BY next_attempt_at LIMIT :limit FOR UPDATE SKIP LOCKED)
       RETURNING id, type, envelope, octet_length(envelope::text) AS bytes, consumers, acked_by`,
      { replacements: { limit, ...backoff }, type: QueryTypes.SELECT },
    );
  }

  /** Claimed messages none of whose consumer groups a node up serves: they wait `delayMs` without using up an attempt. */
  awaitConsumers(ids: string[], delayMs: number) {
    return this.sequelize.query(
      `UPDATE outbox SET attempts = attempts - 1,
         last_error = 'no consumer up for ' || array_to_string(ARRAY(SELECT unnest(consumers) EXCEPT SELECT unnest(acked_by)), ', '),
         next_attempt_at = now() + :delayMs * interval '1 millisecond'
       WHERE id IN (:ids)`,
      { replacements: { ids, delayMs } },
    );
  }

  /** A consumer could not apply the message; the `maxFailures`-th rejection parks it. */
  reject(id: string, error: string, maxFailures: number) {
    return this.sequelize.query(
      `UPDATE outbox SET failures = failures + 1, last_error = :error,
         parked_at = CASE WHEN failures + 1 >= :maxFailures THEN now() END
       WHERE id = :id AND parked_at IS NULL`,
      { replacements: { id, error, maxFailures } },
    );
  }

  /** Parks messages no retry can deliver, each with its reason: they wait for an operator. */
  park(messages: Array<{ id: string; reason: string }>): Promise<unknown> {
    return this.sequelize.query(
      `UPDATE outbox AS o SET parked_at = now(), last_error = r.reason
       FROM jsonb_to_recordset(:messages::jsonb) AS r (id uuid, reason text) WHERE o.id = r.id`,
      { replacements: { messages: JSON.stringify(messages) } },
    );
  }

  /**
   * A consumer group has applied these messages: those every group has applied are deleted. One
   * round trip, and a second only for messages whose last two groups acknowledged at the same moment.
   */
  async acknowledge(ids: string[], group: string): Promise<void> {
    const delivered = await ACKNOWLEDGE.runAlone(this.sequelize, [ids, group]);
    if (delivered.length > 0) await this.deleteDelivered(delivered.map((row) => row.id));
  }

  /** Deletes those of the messages that every group has acknowledged. */
  async deleteDelivered(ids: string[]): Promise<void> {
    await DELETE_DELIVERED.runAlone(this.sequelize, [ids]);
  }

  /**
   * Brings forward the pending messages that one of `groups` has yet to acknowledge, e.g. when a node
   * serving them has just joined; returns how many.
   */
  async makeDueFor(groups: string[]): Promise<number> {
    const [{ count }] = await this.sequelize.query<{ count: number }>(
      `WITH due AS (
         UPDATE outbox SET next_attempt_at = now()
         WHERE parked_at IS NULL AND next_attempt_at > now()
           AND EXISTS (SELECT 1 FROM unnest(consumers) AS g WHERE g IN (:groups) AND g <> ALL (acked_by))
         RETURNING 1)
       SELECT count(*)::int AS count FROM due`,
      { replacements: { groups }, type: QueryTypes.SELECT },
    );
    return count;
  }

  /**
   * Two partial-index scans: cheap enough for every readiness probe. A message still pending
   * `stuckAfterSeconds` after it was written is `stuck`: well past every retry a passing problem needs.
   */
  async report(stuckAfterSeconds: number): Promise<OutboxReport> {
    const [pending] = await this.sequelize.query<{ count: number; stuck: number; oldest: number | null }>(
      `SELECT count(*)::int AS count, extract(epoch FROM now() - min(created_at))::float AS oldest,
              count(*) FILTER (WHERE created_at < now() - :stuckAfterSeconds * interval '1 second')::int AS stuck
       FROM outbox WHERE parked_at IS NULL`,
      { replacements: { stuckAfterSeconds }, type: QueryTypes.SELECT },
    );
    const [parked] = await this.sequelize.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM outbox WHERE parked_at IS NOT NULL`,
      { type: QueryTypes.SELECT },
    );
    return { pending: pending.count, oldestPendingSeconds: Math.round(pending.oldest ?? 0), stuck: pending.stuck, parked: parked.count };
  }

  parked(): Promise<ParkedMessage[]> {
    return this.sequelize.query<ParkedMessage>(
      `SELECT id, type, attempts, failures, consumers, acked_by AS "ackedBy", last_error AS "lastError",
              created_at AS "createdAt", parked_at AS "parkedAt"
       FROM outbox WHERE parked_at IS NOT NULL ORDER BY parked_at`,
      { type: QueryTypes.SELECT },
    );
  }

  /** Puts a parked message back in line with fresh counts; false if it is not parked. */
  async replay(id: string): Promise<boolean> {
    const replayed = await this.sequelize.query(
      `UPDATE outbox SET parked_at = NULL, attempts = 0, failures = 0, next_attempt_at = now()
       WHERE id = :id AND parked_at IS NOT NULL RETURNING id`,
      { replacements: { id }, type: QueryTypes.SELECT },
    );
    return replayed.length === 1;
  }
}
