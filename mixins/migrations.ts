import type { Sequelize } from "sequelize";
import { SequelizeStorage, Umzug } from "umzug";

/** A schema change in plain PostgreSQL SQL; `up` runs in its own transaction. */
export interface SqlMigration {
  name: string;
  up: string;
  down: string;
}

/**
 * Applies the pending migrations, recorded in `schema_migrations`.
 * An advisory lock serialises concurrent start-ups (two instances of a service).
 */
export async function migrate(sequelize: Sequelize, migrations: SqlMigration[], lockName: string): Promise<string[]> {
  const umzug = new Umzug({
    migrations: migrations.map((m) => ({
      name: m.name,
      up: () => sequelize.transaction((transaction) => sequelize.query(m.up, { transaction })),
      down: () => sequelize.transaction((transaction) => sequelize.query(m.down, { transaction })),
    })),
    storage: new SequelizeStorage({ sequelize, tableName: "schema_migrations" }),
    logger: undefined,
  });
  return sequelize.transaction(async (transaction) => {
    await sequelize.query("SELECT pg_advisory_xact_lock(hashtext(:lockName))", {
      replacements: { lockName },
      transaction,
    });
    const applied = await umzug.up();
    return applied.map((m) => m.name);
  });
}
