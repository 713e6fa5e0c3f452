import type { Sequelize } from "sequelize";
import { isLostConnection } from "../db/errors";
import { allAtOnce, type Connection, SqlStatement, withConnection } from "../db/sql";
import type { TableWrites } from "../db/table-writes";
import type { Outbox, OutgoingMessage } from "../messaging/outbox/outbox";
import { commit, endLostSession, runAloneOrFindOut } from "./commit-outcome";
import { retryTransient } from "./transient-retry";

/**
 * One unit of work: what the work of an action call, or of a consumer's batch, writes, all committed
 * together. In a transaction the work may read and lock rows on the unit's `connection`; append-only
 * it has none and only leaves new rows and events. Either way its new rows (`insert`) and the outbox
 * rows of its events (`publish`) go in as one statement when the work is done, and the events are
 * emitted once that has committed (`Units` below runs it, one way or the other).
 */
export class UnitOfWork {
  /** new rows of the service's own table, by attribute name */
  readonly rows: object[] = [];
  readonly events: OutgoingMessage[] = [];

  constructor(private readonly held?: Connection) {}

  /** The connection the work reads and writes on, inside the unit's transaction; append-only work has none. */
  get connection(): Connection {
    if (!this.held) throw new Error("Append-only work reads nothing: its unit of work has no transaction");
    return this.held;
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

/** Where a service's units write at their end: its own table and its outbox. */
interface UnitWrites {
  table: TableWrites;
  outbox: Outbox;
  /** when the relay may first look at an event's outbox row (the producer emits it itself first) */
  outboxDueInMs: number;
  /** hands a committed unit's events on to be emitted */
  committed(unit: UnitOfWork): void;
}

const BEGIN = new SqlStatement("BEGIN");
const ROLLBACK = new SqlStatement("ROLLBACK");

/**
 * The two ways a service's units of work run. Either way the unit's new rows and its events' outbox
 * rows go in as one statement when its work is done, and `committed` hears of it only once that has
 * committed. A unit PostgreSQL rolled back for a deadlock or a serialization failure, or whose
 * connection broke before it committed, runs again (transient-retry.ts); one whose connection broke
 * while committing is not answered before it is known whether it committed (commit-outcome.ts).
 */
export class Units {
  constructor(
    private readonly sequelize: Sequelize,
    private readonly writes: UnitWrites,
  ) {}

  /** `work` in a transaction, on a connection of its own, on which it may read and lock rows. */
  transact<T>(work: (unit: UnitOfWork) => Promise<T>): Promise<T> {
    return retryTransient(async () => {
      // the server process of a session lost before it committed, ended once its connection is let go
      let lostSession: number | undefined;
      try {
        return await withConnection(this.sequelize, async (connection) => {
          await BEGIN.run(connection, []);
          const unit = new UnitOfWork(connection);
          let result: T;
          let xid: string | undefined;
          try {
            result = await work(unit);
            const closing = this.closing(unit);
            if (closing) [{ xid }] = await closing.statement.run(connection, closing.values);
          } catch (err) {
            // Should this fail too, withConnection closes the connection rather than pool it mid-transaction.
            await ROLLBACK.run(connection, []).catch(() => undefined);
            if (isLostConnection(err)) lostSession = connection.processID;
            throw err;
          }
          try {
            await commit(this.sequelize, connection, xid);
          } catch (err) {
            // Lost with no transaction id to ask about: the outcome stays unknown, but the session must not commit later.
            if (xid === undefined && (err as { type?: string }).type === "OUTCOME_UNKNOWN") lostSession = connection.processID;
            throw err;
          }
          this.writes.committed(unit);
          return result;
        });
      } finally {
        if (lostSession !== undefined) await endLostSession(this.sequelize, lostSession);
      }
    });
  }

  /**
   * Append-only `work` (no transaction: it reads nothing), its writes one statement atomic on its own.
   * Should the connection break under it, its first new row tells whether it committed.
   */
  appendAtOnce<T>(work: (unit: UnitOfWork) => Promise<T>): Promise<T> {
    return retryTransient(async () => {
      const unit = new UnitOfWork();
      const result = await work(unit);
      const closing = this.closing(unit);
      if (closing) {
        const id = (unit.rows[0] as { id?: string } | undefined)?.id;
        await runAloneOrFindOut(this.sequelize, closing, id === undefined ? undefined : this.writes.table.stored(id));
      }
      this.writes.committed(unit);
      return result;
    });
  }

  /** The unit's new rows and its events' outbox rows as one statement; undefined when it writes neither. */
  private closing(unit: UnitOfWork) {
    const { table, outbox, outboxDueInMs } = this.writes;
    const writes = [table.insertion(unit.rows), outbox.addition(unit.events, outboxDueInMs)].filter((write) => write !== undefined);
    return writes.length > 0 ? allAtOnce(writes) : undefined;
  }
}
