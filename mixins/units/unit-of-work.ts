import type { Transaction } from "sequelize";

/**
 * What the work of an append-only action gets instead of a transaction: somewhere to leave its new
 * rows (`insertLater`) and its events (`publish`), and nothing to read the database with. Its writes
 * then go in together, as one statement.
 */
export interface PendingWrites {
  readonly pendingWrites: true;
}

/** Where a unit of work's writes go: an open transaction, or writes pending until the work is done. */
export type UnitOfWork = Transaction | PendingWrites;
