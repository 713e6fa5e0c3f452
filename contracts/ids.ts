import { v7 } from "uuid";

/**
 * The id of a new order, invoice or event: a UUIDv7 (RFC 9562), which starts with its creation time. A
 * random (v4) id put each new key at a random leaf of every index on it, so inserts into a big table
 * dirtied pages all over its indexes; a v7 id lands beside the last one (README: Performance).
 */
export const newId = (): string => v7();
