import { Errors } from "moleculer";
import { QueryTypes, type Sequelize, type Transaction } from "sequelize";
import { MigrationError, Umzug, type UmzugStorage } from "umzug";

/** A schema change in plain PostgreSQL SQL. */
export interface SqlMigration {
  name: string;
  up: string;
  down: string;
}

/**
 * The applied migrations' names, in the table umzug's SequelizeStorage created before (`name`, its
 * primary key): databases migrated back then are read as they are.
 */
const HISTORY = "CREATE TABLE IF NOT EXISTS schema_migrations (name varchar(255) PRIMARY KEY)";

/** umzug's record of applied migrations, read and written in the transaction that applies them (umzug's context). */
const history = (sequelize: Sequelize): UmzugStorage<Transaction> => ({
  async executed({ context: transaction }) {
    const rows = await sequelize.query<{ name: string }>("SELECT name FROM schema_migrations ORDER BY name", {
      type: QueryTypes.SELECT,
      transaction,
    });
    return rows.map((row) => row.name);
  },
  async logMigration({ name, context: transaction }) {
    await sequelize.query("INSERT INTO schema_migrations (name) VALUES (:name)", { replacements: { name }, transaction });
  },
  async unlogMigration({ name, context: transaction }) {
    await sequelize.query("DELETE FROM schema_migrations WHERE name = :name", { replacements: { name }, transaction });
  },
});

/**
 * Applies the pending migrations and records them in `schema_migrations`, all in one transaction
 * (PostgreSQL's DDL is transactional): a change is never applied without its record, and a run that
 * fails part-way leaves nothing of itself behind, not even the migrations before the failing one, so
 * a node never starts on a schema its code does not expect. That transaction also holds an advisory
 * lock, which serialises concurrent start-ups (two instances of a service).
 */
export async function migrate(sequelize: Sequelize, migrations: SqlMigration[], lockName: string): Promise<string[]> {
  let current: string | undefined;
  try {
    return await sequelize.transaction(async (transaction) => {
      await sequelize.query("SELECT pg_advisory_xact_lock(hashtext(:lockName))", { replacements: { lockName }, transaction });
      await sequelize.query(HISTORY, { transaction });
      const umzug = new Umzug<Transaction>({
        migrations: migrations.map((m) => ({
          name: m.name,
          up: ({ context }) => sequelize.query(m.up, { transaction: context }),
          down: ({ context }) => sequelize.query(m.down, { transaction: context }),
        })),
        context: transaction,
        storage: history(sequelize),
        logger: undefined,
      });
      // Which migration a failure belongs to: umzug names it only when its `up` fails, not its record.
      umzug.on("migrating", ({ name }) => {
        current = name;
      });
      umzug.on("migrated", () => {
        current = undefined;
      });
      const applied = await umzug.up();
      return applied.map((m) => m.name);
    });
  } catch (err) {
    if (current === undefined) throw err;
    const cause = err instanceof MigrationError ? err.cause : err;
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new Errors.MoleculerError(
      `Migration ${current} failed, so none of this run's migrations was applied: ${reason}`,
      500,
      "MIGRATION_FAILED",
      {
        migration: current,
      },
    );
  }
}
