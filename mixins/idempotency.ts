import { createHash } from "node:crypto";
import { Errors } from "moleculer";
import { QueryTypes, type Sequelize, type Transaction } from "sequelize";

/** Stripe's window: a key is honoured for 24 hours. */
const RETENTION = "24 hours";

export function requestHash(action: string, params: unknown): string {
  return createHash("sha256").update(action).update("\n").update(JSON.stringify(params)).digest("hex");
}

export interface Remembered<T> {
  body: T;
  replayed: boolean;
}

/**
 * `Idempotency-Key` (Stripe's semantics): the first request with a key runs and its response is
 * kept with a hash of the request; a retry replays it; the same key with another request is a 409.
 * Concurrent duplicates meet at the primary key: the second waits for the first to commit and replays.
 */
export class IdempotencyKeys {
  constructor(private readonly sequelize: Sequelize) {}

  async once<T>(key: string, hash: string, transaction: Transaction, work: () => Promise<T>): Promise<Remembered<T>> {
    await this.sequelize.query(
      `DELETE FROM idempotency_keys WHERE key = :key AND created_at < now() - interval '${RETENTION}'`,
      { replacements: { key }, transaction },
    );
    const claimed = await this.sequelize.query(
      `INSERT INTO idempotency_keys (key, request_hash) VALUES (:key, :hash) ON CONFLICT (key) DO NOTHING RETURNING key`,
      { replacements: { key, hash }, transaction, type: QueryTypes.SELECT },
    );
    if (claimed.length === 0) return { body: await this.replay<T>(key, hash, transaction), replayed: true };

    const body = await work();
    await this.sequelize.query(`UPDATE idempotency_keys SET response_body = :body WHERE key = :key`, {
      replacements: { key, body: JSON.stringify(body) },
      transaction,
    });
    return { body, replayed: false };
  }

  /** Forgets keys older than the retention window. */
  purgeExpired(): Promise<unknown> {
    return this.sequelize.query(`DELETE FROM idempotency_keys WHERE created_at < now() - interval '${RETENTION}'`);
  }

  private async replay<T>(key: string, hash: string, transaction: Transaction): Promise<T> {
    const [stored] = await this.sequelize.query<{ request_hash: string; response_body: T }>(
      `SELECT request_hash, response_body FROM idempotency_keys WHERE key = :key`,
      { replacements: { key }, transaction, type: QueryTypes.SELECT },
    );
    if (stored.request_hash !== hash) {
      throw new Errors.MoleculerClientError(
        "This Idempotency-Key was used with a different request",
        409,
        "IDEMPOTENCY_KEY_REUSED",
        { field: "Idempotency-Key" },
      );
    }
    return stored.response_body;
  }
}
