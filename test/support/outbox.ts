import { randomUUID } from "node:crypto";
import { queryDatabase } from "./postgres";

/**
 * Writes a message straight into the orders service's outbox, as if a transaction of its own had
 * published it (a message no API request could produce: poison, oversized, unmatched), for the
 * relay to deliver to invoices. Returns its id.
 */
export async function injectIntoOrdersOutbox(database: string, type: string, data: unknown): Promise<string> {
  const id = randomUUID();
  const envelope = {
    id,
    type,
    version: 1,
    occurredAt: new Date().toISOString(),
    correlationId: "injected",
    causationId: "injected",
    source: "orders",
    data,
  };
  await queryDatabase(database, "INSERT INTO outbox (id, type, envelope, consumers) VALUES ($1, $2, $3, '{invoices}')", [
    id,
    type,
    JSON.stringify(envelope),
  ]);
  return id;
}
