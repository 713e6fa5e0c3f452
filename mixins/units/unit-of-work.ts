import type { Transaction } from "sequelize";
import type { OutgoingMessage } from "../messaging/outbox/outbox";

/**
 * One unit of work: what the work of an action call, or of a consumer's batch, writes, all committed
 * together. In a transaction the work may read and lock rows (`transaction`); append-only it has none
 * and only leaves new rows and events. Either way its new rows (`insert`) and the outbox rows of its
 * events (`publish`) go in as one statement when the work is done, and the events are emitted once
 * that has committed (units.ts runs it, one way or the other).
 */
export class UnitOfWork {
  /** new rows of the service's own table, by attribute name */
  readonly rows: object[] = [];
  readonly events: OutgoingMessage[] = [];

  constructor(private readonly open?: Transaction) {}

  /** The transaction the work reads and writes in; append-only work has none. */
  get transaction(): Transaction {
    if (!this.open) throw new Error("Append-only work reads nothing: its unit of work has no transaction");
    return this.open;
  }

  /** A new row, inserted with the unit's other writes when its work is done; returned as it will read back. */
  insert<T extends object>(values: T): T & { createdAt: string; updatedAt: string } {
    const now = new Date().toISOString();
    const row = { ...values, createdAt: now, updatedAt: now };
    this.rows.push(row);
    return row;
  }

  /** An event, written to the outbox with the unit's other writes and emitted once they have committed. */
  publish(message: OutgoingMessage): void {
    this.events.push(message);
  }
}
