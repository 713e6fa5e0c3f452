import type { SqlMigration } from "../db/migrations";

/**
 * What every service keeps in its own database next to its data: the outbox
 * (events it owes), the inbox (messages it has applied) and the Idempotency-Keys it has answered.
 */
export const messagingTables = (name: string): SqlMigration => ({
  name,
  up: `
    CREATE TABLE outbox (
      id               uuid PRIMARY KEY,            -- the envelope's message id
      type             varchar(64)  NOT NULL,
      envelope         jsonb        NOT NULL,
      consumers        text[]       NOT NULL,       -- event groups that must acknowledge it
      acked_by         text[]       NOT NULL DEFAULT '{}',
      attempts         integer      NOT NULL DEFAULT 0,   -- emits, for the backoff
      failures         integer      NOT NULL DEFAULT 0,   -- rejections by a consumer, for parking
      next_attempt_at  timestamptz  NOT NULL DEFAULT now(),
      last_error       text,
      delivered_at     timestamptz,
      parked_at        timestamptz,
      created_at       timestamptz  NOT NULL DEFAULT now()
    );
    CREATE INDEX outbox_due_idx ON outbox (next_attempt_at) WHERE delivered_at IS NULL AND parked_at IS NULL;
    CREATE INDEX outbox_parked_idx ON outbox (parked_at) WHERE parked_at IS NOT NULL;

    CREATE TABLE inbox (
      message_id   uuid PRIMARY KEY,
      type         varchar(64)  NOT NULL,
      received_at  timestamptz  NOT NULL DEFAULT now()
    );

    CREATE TABLE idempotency_keys (
      key            varchar(255) PRIMARY KEY,
      request_hash   char(64)     NOT NULL,
      response_body  jsonb,
      created_at     timestamptz  NOT NULL DEFAULT now()
    );
    CREATE INDEX idempotency_keys_created_at_idx ON idempotency_keys (created_at);
  `,
  down: `DROP TABLE idempotency_keys; DROP TABLE inbox; DROP TABLE outbox;`,
});

/**
 * The outbox keeps only what is still owed: a message every consumer group has acknowledged is
 * deleted, not marked delivered (cheaper for PostgreSQL, and the table no longer grows for ever).
 */
export const outboxKeepsOnlyPending = (name: string): SqlMigration => ({
  name,
  up: `
    DELETE FROM outbox WHERE delivered_at IS NOT NULL;
    DROP INDEX outbox_due_idx;
    ALTER TABLE outbox DROP COLUMN delivered_at;
    CREATE INDEX outbox_due_idx ON outbox (next_attempt_at) WHERE parked_at IS NULL;
  `,
  down: `
    DROP INDEX outbox_due_idx;
    ALTER TABLE outbox ADD COLUMN delivered_at timestamptz;
    CREATE INDEX outbox_due_idx ON outbox (next_attempt_at) WHERE delivered_at IS NULL AND parked_at IS NULL;
  `,
});

/**
 * The inbox's purge finds the records past the deduplication window by when they were received. A
 * BRIN index: records arrive in `received_at` order, so a summary per block range finds them, and
 * keeping it costs every insert next to nothing (a btree would take an index entry per message).
 */
export const inboxReceivedAtIndex = (name: string): SqlMigration => ({
  name,
  up: `CREATE INDEX inbox_received_at_idx ON inbox USING brin (received_at);`,
  down: `DROP INDEX inbox_received_at_idx;`,
});

/**
 * An Idempotency-Key's answer is kept as the JSON text it was first sent as: jsonb reorders keys,
 * and a replay must be the same bytes as the first answer.
 */
export const answersAsSent = (name: string): SqlMigration => ({
  name,
  up: `ALTER TABLE idempotency_keys ALTER COLUMN response_body TYPE text USING response_body::text;`,
  down: `ALTER TABLE idempotency_keys ALTER COLUMN response_body TYPE jsonb USING response_body::jsonb;`,
});
