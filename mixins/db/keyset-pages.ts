import { Errors } from "moleculer";
import { type Model, type ModelStatic, Op, Sequelize, type WhereOptions } from "sequelize";
import type { PagingParams } from "../../contracts/paging";

export type CursorParam = "starting_after" | "ending_before";

/** The row a cursor page is anchored at, and on which side of it the page lies. */
export interface Cursor {
  param: CursorParam;
  id: string;
}

export interface Seek {
  rows: Model[];
  hasMore: boolean;
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

  /** The order in moleculer-db's terms, for pages by number. */
  get sort(): string[] {
    return [`-${this.time}`, "-id"];
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
      order: [
        [this.time, direction],
        ["id", direction],
      ],
      limit: pageSize + 1,
    });
    if (rows.length === 0 && (await this.model.count({ where: { id } })) === 0) return undefined;
    const page = rows.slice(0, pageSize);
    return { rows: older ? page : page.reverse(), hasMore: rows.length > pageSize };
  }

  /** The rows whose `(time, id)` is below or above the anchor's: one row-value comparison, which an index on `(time, id)` answers. */
  private beyond(id: string, comparison: "<" | ">") {
    const anchor = `SELECT anchor.${this.timeColumn}, anchor."id" FROM ${this.table} AS anchor WHERE anchor."id" = ${this.model.sequelize!.escape(id)}`;
    return Sequelize.literal(`(${this.timeColumn}, "id") ${comparison} (${anchor})`);
  }
}
