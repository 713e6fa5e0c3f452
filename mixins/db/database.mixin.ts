import type { ServiceSchema } from "moleculer";
import SequelizeAdapter from "moleculer-db-adapter-sequelize";
import { type Model, type ModelAttributes, type ModelStatic, Sequelize } from "sequelize";
import { type ConfigVariable, config } from "../config";
import { ListOrder } from "./keyset-pages";
import { migrate, type SqlMigration } from "./migrations";
import { TableWrites } from "./table-writes";

export interface DatabaseOptions {
  /** the environment variable that holds this service's PostgreSQL URL; `settings.databaseUrl` overrides it */
  urlEnv: Extract<ConfigVariable, "ORDERS_DATABASE_URL" | "INVOICES_DATABASE_URL">;
  table: string;
  attributes: ModelAttributes;
  /** the timestamp attribute lists are ordered by, newest first (the id breaks ties) */
  listedBy: string;
  /** the service's schema, its messaging tables included, applied at start */
  migrations: SqlMigration[];
}

/** The service's own database: Sequelize, the model of its table, what writes and lists its rows. */
export interface Database {
  sequelize: Sequelize;
  model: ModelStatic<Model>;
  writes: TableWrites;
  listOrder: ListOrder;
}

/** What the database mixin adds to a service, for the service's own typing and the other mixins'. */
export interface DatabaseMethods {
  /** The service's database, made on first use. */
  database(): Database;
  /** Resolves once the service's migrations are applied, applying them on first call. */
  migrated(): Promise<void>;
}

/** The database of a service with the database mixin, from code whose `this` Moleculer leaves untyped. */
export const databaseOf = (service: unknown): Database => (service as DatabaseMethods).database();

/**
 * The service's own PostgreSQL database, made when the service is first asked for it (`database()`),
 * not when its module loads, so that a broker in a test can create the service with a database of
 * its own (`settings.databaseUrl`). The model of its table is defined here and handed to
 * moleculer-db's adapter already defined: the schema comes from migrations (`migrated()`, at start),
 * never from `sync()`. Both are made once, whichever mixin asks first, so the service's mixins may be
 * listed in any order.
 */
export function databaseMixin(options: DatabaseOptions): Partial<ServiceSchema> {
  return {
    methods: {
      database(): Database {
        if (!this.$database) {
          const { [options.urlEnv]: configured, DB_POOL_MAX } = config();
          const url = (this.settings as { databaseUrl?: string }).databaseUrl ?? configured;
          if (!url) throw new Error(`${options.urlEnv} is not set: the PostgreSQL URL of this service's database`);
          const sequelize = new Sequelize(url, { logging: false, pool: { max: DB_POOL_MAX, min: 0, acquire: 10_000, idle: 10_000 } });
          const model = sequelize.define(options.table, options.attributes, {
            tableName: options.table,
            underscored: true,
            timestamps: true,
          });
          this.$database = { sequelize, model, writes: new TableWrites(model), listOrder: new ListOrder(model, options.listedBy) };
          // moleculer-db's created() takes its adapter and model from the schema.
          Object.assign(this.schema, { adapter: new SequelizeAdapter(sequelize as unknown as object), model });
        }
        return this.$database;
      },

      migrated(): Promise<void> {
        this.$migrated ??= migrate(this.database().sequelize, options.migrations, `${options.table}-migrations`).then((applied) => {
          if (applied.length > 0) this.logger.info(`Applied migrations: ${applied.join(", ")}`);
        });
        return this.$migrated;
      },
    },

    // Listed after moleculer-db in the db mixin, so this runs before moleculer-db's own created().
    created() {
      this.database();
    },

    started() {
      return this.migrated();
    },
  };
}
