import pg from "pg";
import { TEST_POSTGRES_URL } from "./environment";

async function withAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** The URL of `database` on the test server. */
export function databaseUrl(database: string): string {
  const url = new URL(TEST_POSTGRES_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

export function createDatabases(names: string[]): Promise<void> {
  return withAdmin(async (client) => {
    for (const name of names) await client.query(`CREATE DATABASE "${name}"`);
  });
}

/** Refuses new connections to `name` and ends the current ones (true), or lets them in again (false). */
export function setDatabaseOutage(name: string, down: boolean): Promise<void> {
  return withAdmin(async (client) => {
    await client.query(`ALTER DATABASE "${name}" WITH ALLOW_CONNECTIONS ${down ? "false" : "true"}`);
    if (down) await client.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", [name]);
  });
}

export function dropDatabases(names: string[]): Promise<void> {
  return withAdmin(async (client) => {
    for (const name of names) await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  });
}

/** Runs one query against a test database, for asserting what was (not) written. */
export async function queryDatabase<T extends pg.QueryResultRow = any>(database: string, sql: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: databaseUrl(database) });
  await client.connect();
  try {
    return (await client.query<T>(sql, values)).rows;
  } finally {
    await client.end();
  }
}
