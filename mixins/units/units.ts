import type { Sequelize } from "sequelize";
import { allAtOnce, type BoundStatement } from "../db/sql";
import { type CommitWitness, commit, runAloneOrFindOut } from "./commit-outcome";
import { retryTransient } from "./transient-retry";
import { UnitOfWork } from "./unit-of-work";

/** What running a unit of work needs from its service. */
export interface UnitPorts {
  /** the statements a unit's work leaves to write once it is done: its new rows, its events' outbox rows */
  closingWrites(unit: UnitOfWork): BoundStatement[];
  /** what tells whether an append-only unit's statement committed, should its connection break under it */
  witness(unit: UnitOfWork): CommitWitness | undefined;
  /** hands a committed unit's events on to be emitted */
  committed(unit: UnitOfWork): void;
}

/**
 * The two ways a unit of work runs. Either way its closing writes go in as one statement when its work
 * is done, and `committed` hears of it only once that has committed. A unit PostgreSQL rolled back for
 * a deadlock or a serialization failure, or whose connection broke before it committed, runs again
 * (transient-retry.ts); one whose connection broke while committing is not answered before it is known
 * whether it committed (commit-outcome.ts).
 */
export class Units {
  constructor(
    private readonly sequelize: Sequelize,
    private readonly ports: UnitPorts,
  ) {}

  /** `work` in a transaction, in which it may read and lock rows. */
  transact<T>(work: (unit: UnitOfWork) => Promise<T>): Promise<T> {
    return retryTransient(async () => {
      const transaction = await this.sequelize.transaction();
      const unit = new UnitOfWork(transaction);
      let result: T;
      let xid: string | undefined;
      try {
        result = await work(unit);
        const closing = this.closing(unit);
        if (closing) [{ xid }] = await closing.statement.run(transaction, closing.values);
      } catch (err) {
        await transaction.rollback().catch(() => undefined);
        throw err;
      }
      await commit(this.sequelize, transaction, xid);
      this.ports.committed(unit);
      return result;
    });
  }

  /** Append-only `work` (no transaction: it reads nothing), its writes one statement atomic on its own. */
  appendAtOnce<T>(work: (unit: UnitOfWork) => Promise<T>): Promise<T> {
    return retryTransient(async () => {
      const unit = new UnitOfWork();
      const result = await work(unit);
      const closing = this.closing(unit);
      if (closing) await runAloneOrFindOut(this.sequelize, closing, this.ports.witness(unit));
      this.ports.committed(unit);
      return result;
    });
  }

  private closing(unit: UnitOfWork) {
    const writes = this.ports.closingWrites(unit);
    return writes.length > 0 ? allAtOnce(writes) : undefined;
  }
}
