import { createHash } from "node:crypto";
import { Errors } from "moleculer";
import type { ClientBase } from "pg";
import { configure } from "safe-stable-stringify";
import type { Sequelize } from "sequelize";
import { ExpiredRows, type Purged } from "../db/expired-rows";
import { SqlStatement } from "../db/sql";
import type { UnitOfWork } from "./unit-of-work";

/** Stripe's window: a key is honoured for 24 hours. */
const RETENTION = "24 hours";

/** Sorted keys: the same request with its JSON keys in another order is the same request. */
const canonicalJson = configure({ deterministic: true, strict: true });

export function requestHash(action: string, params: unknown): string {
  return createHash("sha256").update(action).update("\n").update(canonicalJson(params)!).digest("hex");
}

export interface Remembered<T> {
  body: T;
  replayed: boolean;
}

/** A request's Idempotency-Key, and the hash that tells a retry from another request under the same key. */
export interface KeyedRequest {
  key: string;
  hash: string;
}

/** What a key's request was answered with, and the hash of that request. */
interface Answer {
  body: unknown;
  hash: string;
}

/**
 * Claims keys `$1` for requests of hashes `$2` (one each), in key order so two batches never
 * deadlock; a key past the retention window is claimed anew. Returns the keys claimed.
 */
const CLAIM = new SqlStatement<{ key: string }>(
  `INSERT INTO idempotency_keys (key, request_hash)
   SELECT key, hash FROM unnest($1::varchar[], $2::char(64)[]) AS r (key, hash) ORDER BY key
   ON CONFLICT (key) DO UPDATE SET request_hash = EXCLUDED.request_hash, response_body = NULL, created_at = now()
     WHERE idempotency_keys.created_at < now() - interval '${RETENTION}'
   RETURNING key`,
  { prepareAs: "claim idempotency keys" },
);

/** The answers stored for keys `$1`, as the JSON text first sent (a replay is the same bytes). */
const ANSWERS = new SqlStatement<{ key: string; request_hash: string; response_body: string }>(
  `SELECT key, request_hash, response_body FROM idempotency_keys WHERE key = ANY ($1::varchar[])`,
);

/** Stores the answers `$2` (JSON texts) of keys `$1`. */
const REMEMBER = new SqlStatement(
  `UPDATE idempotency_keys AS k SET response_body = r.body
   FROM unnest($1::varchar[], $2::text[]) AS r (key, body) WHERE k.key = r.key`,
);

function reused(): Errors.MoleculerClientError {
  return new Errors.MoleculerClientError("This Idempotency-Key was used with a different request", 409, "IDEMPOTENCY_KEY_REUSED", {
    field: "Idempotency-Key",
  });
}

/**
 * `Idempotency-Key` (Stripe's semantics): the first request with a key runs and its response is
 * kept with a hash of the request; a retry replays it; the same key with another request is a 409.
 * Concurrent duplicates meet at the primary key: the second waits for the first to commit and replays.
 */
export class IdempotencyKeys {
  private readonly expired: ExpiredRows;

  constructor(sequelize: Sequelize) {
    this.expired = new ExpiredRows(sequelize, "idempotency_keys", "key", "created_at");
  }

  /**
   * Runs a batch of requests in one unit of work, each once per key (`requests[i]` is request i's,
   * undefined for none): all its keys are claimed in one statement before any request runs, a request
   * whose key was answered before gets that answer, and the new answers are stored in one statement
   * after. Keys need a transaction.
   */
  async runOnce<T>(requests: Array<KeyedRequest | undefined>, unit: UnitOfWork, run: (i: number) => Promise<T>): Promise<Remembered<T>[]> {
    const first = new Map<string, KeyedRequest>();
    for (const request of requests) if (request && !first.has(request.key)) first.set(request.key, request);
    // Keys need the unit's transaction; requests without any need none (append-only work has none).
    const claimed = first.size === 0 ? new Set<string>() : await this.claim([...first.values()], unit.connection);
    const unclaimed = [...first.keys()].filter((key) => !claimed.has(key));
    const earlier = unclaimed.length === 0 ? new Map<string, Answer>() : await this.answers(unclaimed, unit.connection);
    const answered = new Map<string, Answer>();
    const results: Remembered<T>[] = [];
    for (const [i, request] of requests.entries()) {
      const known = request && (answered.get(request.key) ?? earlier.get(request.key));
      if (request && known) {
        if (known.hash !== request.hash) throw reused();
        results.push({ body: known.body as T, replayed: true });
        continue;
      }
      const body = await run(i);
      if (request) answered.set(request.key, { body, hash: request.hash });
      results.push({ body, replayed: false });
    }
    if (answered.size > 0) await this.remember(answered, unit.connection);
    return results;
  }

  /** Forgets keys older than the retention window. */
  purgeExpired(batchSize?: number): Promise<Purged> {
    return this.expired.purge(RETENTION, batchSize);
  }

  private async claim(requests: KeyedRequest[], connection: ClientBase): Promise<Set<string>> {
    const claimed = await CLAIM.run(connection, [requests.map((r) => r.key), requests.map((r) => r.hash)]);
    return new Set(claimed.map((row) => row.key));
  }

  private async answers(keys: string[], connection: ClientBase): Promise<Map<string, Answer>> {
    const rows = await ANSWERS.run(connection, [keys]);
    return new Map(rows.map((row) => [row.key, { body: JSON.parse(row.response_body), hash: row.request_hash }]));
  }

  private async remember(answered: Map<string, Answer>, connection: ClientBase): Promise<void> {
    await REMEMBER.run(connection, [[...answered.keys()], [...answered.values()].map(({ body }) => JSON.stringify(body))]);
  }
}
