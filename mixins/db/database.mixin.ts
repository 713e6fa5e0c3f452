import type { ServiceSchema } from "moleculer";
import SequelizeAdapter from "moleculer-db-adapter-sequelize";
import { type Model, type ModelAttributes, type ModelStatic, Sequelize } from "sequelize";
import { type ConfigVariable, config } from "../config";
import { IdempotencyKeys } from "../units/idempotency";
import { ListOrder } from "./keyset-pages";
import { TableWrites } from "./table-writes";

export interface DatabaseOptions {
  /** the environment variable that holds this service's PostgreSQL URL; `settings.databaseUrl` overrides it */
  urlEnv: Extract<ConfigVariable, "ORDERS_DATABASE_URL" | "INVOICES_DATABASE_URL">;
  table: string;
  attributes: ModelAttributes;
  /** the timestamp attribute lists are ordered by, newest first (the id breaks ties) */
  listedBy: string;
}

/** What the database mixin leaves on the service (`databaseOf(this)`). */
export interface Database {
  sequelize: Sequelize;
  model: ModelStatic<Model>;
  writes: TableWrites;
  listOrder: ListOrder;
  idempotencyKeys: IdempotencyKeys;
}

/** The database of a service the database mixin created. */
export const databaseOf = (service: unknown): Database => service as Database;

/**
 * The service's own PostgreSQL database, made when the service is created rather than when its module
 * loads, so that a broker in a test can create the service with a database of its own
 * (`settings.databaseUrl`): Sequelize, the model of its table (defined here, handed to moleculer-db's
 * adapter already defined: the schema comes from migrations, never from `sync()`), what writes and
 * lists its rows, and its Idempotency-Keys. Listed last among the db mixin's mixins, its `created`
 * runs before theirs (Moleculer runs the handlers of a later mixin first).
 */
export function databaseMixin(options: DatabaseOptions): Partial<ServiceSchema> {
  return {
    created() {
      const { [options.urlEnv]: configured, DB_POOL_MAX } = config();
      const url = (this.settings as { databaseUrl?: string }).databaseUrl ?? configured;
      if (!url) throw new Error(`${options.urlEnv} is not set: the PostgreSQL URL of this service's database`);
      const sequelize = new Sequelize(url, { logging: false, pool: { max: DB_POOL_MAX, min: 0, acquire: 10_000, idle: 10_000 } });
      const model = sequelize.define(options.table, options.attributes, { tableName: options.table, underscored: true, timestamps: true });
      const database: Database = {
        sequelize,
        model,
        writes: new TableWrites(model),
        listOrder: new ListOrder(model, options.listedBy),
        idempotencyKeys: new IdempotencyKeys(sequelize),
      };
      Object.assign(this, database);
      // moleculer-db's created() takes its adapter and model from the schema.
      Object.assign(this.schema, { adapter: new SequelizeAdapter(sequelize as unknown as object), model });
    },
  };
}
