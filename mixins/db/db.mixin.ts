import { type Context, Errors, type ServiceSchema } from "moleculer";
import DbService, { type DbServiceSettings } from "moleculer-db";
import { DataTypes, type Model, type ModelAttributeColumnOptions, Op } from "sequelize";
import { type IdParams, idParams, type ListPage, MAX_COUNTED, type PagingParams } from "../../contracts/paging";
import { admission } from "../moleculer/admission";
import type { UnitOfWork } from "../units/unit-of-work";
import { type DatabaseMethods, type DatabaseOptions, databaseMixin, databaseOf } from "./database.mixin";
import { toServiceError } from "./errors";
import { cursorOf, pagingError } from "./keyset-pages";
import type { RowChanges } from "./table-writes";

export interface DbMixinOptions extends DatabaseOptions {
  /** what a missing row is called in a 404 ("Order not found") */
  entityName: string;
}

/** What the mixin adds to a service, for the service's own typing. */
export interface DbMethods extends DatabaseMethods {
  /** The whole row (amounts as numbers), locked FOR UPDATE in `unit`'s transaction; an unknown id is a 404. */
  lockOrFail<T extends { id: string }>(id: string, unit: UnitOfWork): Promise<T>;
  /**
   * The rows' `attributes` as stored, the rows locked FOR UPDATE in `unit`'s transaction in id order
   * (two batches never deadlock); an unknown id is a 404.
   */
  lockAllOrFail<T extends { id: string }>(ids: string[], attributes: Array<keyof T & string>, unit: UnitOfWork): Promise<T[]>;
  /** Like `lockAllOrFail`, for the rows whose uuid attribute `by` is one of `values`; none found is no error. */
  lockAllBy<T>(by: keyof T & string, values: string[], attributes: Array<keyof T & string>, unit: UnitOfWork): Promise<T[]>;
  /** Writes each row's changes (by `id`) in one statement, in `unit`'s transaction; `updatedAt` is now unless given. */
  saveAll(changes: RowChanges[], unit: UnitOfWork): Promise<void>;
  toPlain<T>(row: Model): T;
  /**
   * The rows matching `filters` (undefined ones ignored) in list order: a page by number, or by
   * cursor when `paging` names one; a cursor with `page`, both cursors, or an anchor that names no
   * row is a 422.
   */
  listPage<T>(ctx: Context, filters: Record<string, unknown>, paging: PagingParams): Promise<ListPage<T>>;
}

/** A `[from, to)` condition for a timestamp column, or undefined when neither bound is given. */
export function between(from?: Date, to?: Date): Record<symbol, Date> | undefined {
  if (!from && !to) return undefined;
  return { ...(from ? { [Op.gte]: from } : {}), ...(to ? { [Op.lt]: to } : {}) };
}

/**
 * An amount in minor units. BIGINT arrives from `pg` as a string; the validation bounds in
 * contracts/money.ts keep every amount a safe integer, so it is read back as a number.
 */
export function minorUnits(field: string): ModelAttributeColumnOptions {
  return {
    type: DataTypes.BIGINT,
    allowNull: false,
    get(this: Model) {
      return Number(this.getDataValue(field));
    },
  };
}

/**
 * moleculer-db over one PostgreSQL database per service (its database: database.mixin.ts, made when the
 * service is created, its migrations applied at start). The generic write actions are switched off:
 * each service writes through its own actions, as commands in units of work (mixins/units), locking
 * and saving rows with the methods below.
 */
export function dbMixin(options: DbMixinOptions): Partial<ServiceSchema> {
  const notFound = (id: string | string[]) => new Errors.MoleculerClientError(`${options.entityName} not found`, 404, "NOT_FOUND", { id });
  const orFail = (row: Model | null, id: string): Model => {
    if (!row) throw notFound(id);
    return row;
  };

  const schema: Partial<ServiceSchema<DbServiceSettings>> = {
    mixins: [DbService as unknown as Partial<ServiceSchema>, databaseMixin(options)],
    settings: { idField: "id" },

    // `find` and `count` stay, read-only, for operators in the REPL; they have no REST alias.
    actions: {
      list: false,
      create: false,
      insert: false,
      update: false,
      remove: false,

      /** GET /<entities>/:id — one entity; an unknown id is a 404. */
      get: {
        ...admission(),
        params: idParams,
        async handler(ctx: Context<IdParams>) {
          return this.toPlain(orFail(await databaseOf(this).model.findByPk(ctx.params.id), ctx.params.id));
        },
      },
    },

    hooks: {
      error: {
        "*"(_ctx: Context, err: unknown) {
          throw toServiceError(err);
        },
      },
    },

    methods: {
      async lockOrFail<T extends { id: string }>(id: string, unit: UnitOfWork): Promise<T> {
        const [row] = (await this.lockAllOrFail([id], databaseOf(this).writes.attributes, unit)) as T[];
        return row;
      },

      async lockAllOrFail<T extends { id: string }>(ids: string[], attributes: Array<keyof T & string>, unit: UnitOfWork): Promise<T[]> {
        const rows = await databaseOf(this).writes.lock<T>("id", ids, attributes, unit.connection);
        const found = new Set(rows.map((row) => row.id));
        const missing = [...new Set(ids)].filter((id) => !found.has(id));
        if (missing.length > 0) throw notFound(missing.length === 1 ? missing[0] : missing);
        return rows;
      },

      lockAllBy<T>(by: keyof T & string, values: string[], attributes: Array<keyof T & string>, unit: UnitOfWork): Promise<T[]> {
        return databaseOf(this).writes.lock<T>(by, values, attributes, unit.connection);
      },

      saveAll(changes: RowChanges[], unit: UnitOfWork): Promise<void> {
        return databaseOf(this).writes.update(changes, unit.connection);
      },

      toPlain<T>(row: Model): T {
        return row.get({ plain: true }) as T;
      },

      async listPage(ctx: Context, filters: Record<string, unknown>, paging: PagingParams) {
        const query = Object.fromEntries(Object.entries(filters).filter(([, value]) => value !== undefined));
        const { pageSize } = paging;
        const cursor = cursorOf(paging);
        if (!cursor) {
          const page = paging.page ?? 1;
          const { rows, hasMore, total } = await databaseOf(this).listOrder.numbered(query, page, pageSize, MAX_COUNTED);
          const totalPages = total === null ? null : Math.ceil(total / pageSize);
          return { rows: await this.transformDocuments(ctx, {}, rows), total, page, pageSize, totalPages, hasMore };
        }
        const found = await databaseOf(this).listOrder.seek(query, cursor, pageSize);
        if (!found) {
          throw pagingError(
            cursor.param,
            "cursorUnknown",
            `The '${cursor.param}' field must be the id of an existing ${options.entityName.toLowerCase()}.`,
          );
        }
        return { rows: await this.transformDocuments(ctx, {}, found.rows), pageSize, hasMore: found.hasMore };
      },
    },
  };
  // moleculer-db's settings type shares no key with Moleculer's own, hence the cast.
  return schema as unknown as Partial<ServiceSchema>;
}
