import type pg from "pg";
import type { Sequelize } from "sequelize";
import { type Connection, withConnection } from "../../mixins/db/sql";
import * as admin from "../../scripts/postgres-admin";
import { TEST_POSTGRES_URL } from "./environment";

/** The URL of `database` on the test server. */
export const databaseUrl = (database: string) => admin.databaseUrl(TEST_POSTGRES_URL, database);

export const createDatabases = (names: string[]) => admin.createDatabases(TEST_POSTGRES_URL, names);

export const dropDatabases = (names: string[]) => admin.dropDatabases(TEST_POSTGRES_URL, names);

/** Refuses new connections to `name` and ends the current ones (true), or lets them in again (false). */
export function setDatabaseOutage(name: string, down: boolean): Promise<void> {
  return admin.withClient(TEST_POSTGRES_URL, async (client) => {
    await client.query(`ALTER DATABASE "${name}" WITH ALLOW_CONNECTIONS ${down ? "false" : "true"}`);
    if (down) await client.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", [name]);
  });
}

/** Runs one query against a test database, for asserting what was (not) written. */
export function queryDatabase<T extends pg.QueryResultRow = any>(database: string, sql: string, values: unknown[] = []): Promise<T[]> {
  return admin.query<T>(databaseUrl(database), sql, values);
}

/** `work` in a transaction on a connection of `sequelize`'s pool, as a unit of work runs: committed, or rolled back when it throws. */
export function inTransaction<T>(sequelize: Sequelize, work: (connection: Connection) => Promise<T>): Promise<T> {
  return withConnection(sequelize, async (connection) => {
    await connection.query("BEGIN");
    try {
      const result = await work(connection);
      await connection.query("COMMIT");
      return result;
    } catch (err) {
      await connection.query("ROLLBACK").catch(() => undefined);
      throw err;
    }
  });
}
