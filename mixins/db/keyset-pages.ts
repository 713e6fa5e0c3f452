import { Errors } from "moleculer";
import { type Model, type ModelStatic, Op, QueryTypes, Sequelize, Utils, type WhereOptions } from "sequelize";
import type { PagingParams } from "../../contracts/paging";

export type CursorParam = "starting_after" | "ending_before";

/** Sequelize's SQL for a `where` option (`WHERE …`, or nothing), which its typings leave out of the query generator. */
interface WhereQueryGenerator {
  whereQuery(where: object, options: { model: ModelStatic<Model> }): string;
}

/**
 * The statement that counts the rows of `model` matching `where` up to `limit + 1` (`count`): more than
 * `limit` is all it tells. The condition is Sequelize's own for `where`, as `findAll` would write it.
 */
export function countUpToSql(model: ModelStatic<Model>, where: WhereOptions, limit: number): string {
  const queries = model.sequelize!.getQueryInterface();
  const condition = (queries.queryGenerator as WhereQueryGenerator).whereQuery(Utils.mapWhereFieldNames(where, model), { model });
  const table = queries.quoteIdentifier(model.getTableName() as string);
  return `SELECT count(*)::int AS count FROM (SELECT 1 FROM ${table} ${condition} LIMIT ${Math.trunc(limit) + 1}) AS matching`;
}

/** The row a cursor page is anchored at, and on which side of it the page lies. */
export interface Cursor {
  param: CursorParam;
  id: string;
}

export interface Seek {
  rows: Model[];
  hasMore: boolean;
}

/** A page by number: `total` is null when more rows match than a list counts. */
export interface Numbered extends Seek {
  total: number | null;
}

/** A 422 shaped like the validator's, for a paging parameter whose fault only the list can see. */
export function pagingError(field: string, type: string, message: string): Errors.ValidationError {
  return new Errors.ValidationError("Parameters validation error!", "VALIDATION_ERROR", [{ field, type, message }]);
}

/**
 * The cursor a list request pages by, or undefined when it pages by number. A page by cursor has no
 * number, and a page lies on one side of one anchor: `page` with a cursor, or both cursors, is a 422.
 */
export function cursorOf({ page, starting_after, ending_before }: PagingParams): Cursor | undefined {
  if (starting_after !== undefined && ending_before !== undefined) {
    throw pagingError("ending_before", "cursorsTogether", "The 'ending_before' field cannot be used with 'starting_after'.");
  }
  const cursor: Cursor | undefined =
    starting_after !== undefined
      ? { param: "starting_after", id: starting_after }
      : ending_before !== undefined
        ? { param: "ending_before", id: ending_before }
        : undefined;
  if (cursor && page !== undefined) throw pagingError("page", "pageWithCursor", `The 'page' field cannot be used with '${cursor.param}'.`);
  return cursor;
}

/**
 * A list's one order: newest first by a timestamp, the id breaking ties. A timestamp alone is not
 * unique (a group-committed batch shares one), and rows of equal rank come back in whatever order
 * the plan gives, so page boundaries could show a row twice and skip another. `(time, id)` gives
 * every row one position, for page numbers and cursors alike.
 */
export class ListOrder {
  private readonly timeColumn: string;
  private readonly table: string;

  constructor(
    private readonly model: ModelStatic<Model>,
    private readonly time: string,
  ) {
    const quote = (name: string) => model.sequelize!.getQueryInterface().quoteIdentifier(name);
    this.timeColumn = quote(model.getAttributes()[time].field ?? time);
    this.table = quote(model.getTableName() as string);
  }

  /**
   * Page `page` of the rows matching `where`, `pageSize` rows to a page, and how many rows match, up to
   * `countLimit`: beyond it `total` is null. Counting every match made each first page of a big table
   * slow; the count stops after `countLimit + 1` matching rows (with filters that no single index
   * covers, it still reads the rows the chosen index narrows to).
   */
  async numbered(where: WhereOptions, page: number, pageSize: number, countLimit: number): Promise<Numbered> {
    const [rows, counted] = await Promise.all([
      this.model.findAll({ where, order: this.order("DESC"), offset: (page - 1) * pageSize, limit: pageSize + 1 }),
      this.countUpTo(where, countLimit),
    ]);
    return { rows: rows.slice(0, pageSize), hasMore: rows.length > pageSize, total: counted > countLimit ? null : counted };
  }

  /**
   * Up to `pageSize` rows matching `where` next to the cursor's anchor: after it in list order
   * (`starting_after`, older) or before it (`ending_before`, newer, returned newest first all the
   * same). A keyset seek: the anchor's position is read inside the statement, and the rows beyond it
   * come from the index in list order, however deep the page; no row is counted. The anchor need not
   * match `where`: its position never changes, while a row's status may change during a walk.
   * Undefined when the anchor names no row.
   */
  async seek(where: WhereOptions, { param, id }: Cursor, pageSize: number): Promise<Seek | undefined> {
    const older = param === "starting_after";
    const direction = older ? "DESC" : "ASC";
    const rows = await this.model.findAll({
      where: { [Op.and]: [where, this.beyond(id, older ? "<" : ">")] },
      order: this.order(direction),
      limit: pageSize + 1,
    });
    if (rows.length === 0 && (await this.model.count({ where: { id } })) === 0) return undefined;
    const page = rows.slice(0, pageSize);
    return { rows: older ? page : page.reverse(), hasMore: rows.length > pageSize };
  }

  private order(direction: "ASC" | "DESC"): Array<[string, string]> {
    return [
      [this.time, direction],
      ["id", direction],
    ];
  }

  private async countUpTo(where: WhereOptions, limit: number): Promise<number> {
    // The condition's values are escaped into the statement, so it takes no replacements.
    const [{ count }] = await this.model.sequelize!.query<{ count: number }>(countUpToSql(this.model, where, limit), {
      type: QueryTypes.SELECT,
    });
    return count;
  }

  /** The rows whose `(time, id)` is below or above the anchor's: one row-value comparison, which an index on `(time, id)` answers. */
  private beyond(id: string, comparison: "<" | ">") {
    const anchor = `SELECT anchor.${this.timeColumn}, anchor."id" FROM ${this.table} AS anchor WHERE anchor."id" = ${this.model.sequelize!.escape(id)}`;
    return Sequelize.literal(`(${this.timeColumn}, "id") ${comparison} (${anchor})`);
  }
}
