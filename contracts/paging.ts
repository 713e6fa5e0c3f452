import { queryInteger } from "./query-integer";

/**
 * A page by number, the list's shape without a cursor: `total` matching rows counted at the time of
 * the request, or null when more than `MAX_COUNTED` match (counting them all is what would make every
 * first page of a big list slow); `hasMore`: rows lie beyond this page. Walking it by `page` is stable
 * over a table nobody writes to; rows inserted meanwhile shift the pages after them.
 */
export interface Page<T> {
  rows: T[];
  /** null: more than MAX_COUNTED rows match */
  total: number | null;
  page: number;
  pageSize: number;
  /** null with `total` */
  totalPages: number | null;
  hasMore: boolean;
}

/**
 * A page by cursor (`starting_after` or `ending_before`): no `total` and no `page`, since counting
 * every matching row is what a deep page by cursor avoids. `hasMore`: more rows lie beyond these in
 * the direction of the walk (older after `starting_after`, newer before `ending_before`).
 */
export interface CursorPage<T> {
  rows: T[];
  pageSize: number;
  hasMore: boolean;
}

/** What a list action answers: by cursor when the request names one, by number otherwise. */
export type ListPage<T> = Page<T> | CursorPage<T>;

export interface PagingParams {
  /** 1 when absent; not with a cursor */
  page?: number;
  pageSize: number;
  /** the id of a row: the rows after it in list order (older) */
  starting_after?: string;
  /** the id of a row: the rows before it in list order (newer), still newest first */
  ending_before?: string;
}

/** Deeper pages are reached by cursor: an OFFSET reads and drops every row before its page. */
export const MAX_PAGE = 10_000;
export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;
/** A list counts its matching rows up to this many; beyond, its `total` is null. */
export const MAX_COUNTED = 10_000;

/** The paging query parameters of every list endpoint, as the list actions validate them. */
export const pagingParams = {
  page: queryInteger({ min: 1, max: MAX_PAGE }),
  pageSize: queryInteger({ min: 1, max: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE }),
  starting_after: { type: "uuid", optional: true },
  ending_before: { type: "uuid", optional: true },
} as const;

/** A field besides the id is refused (422 naming it), not dropped: `POST /orders/:id/cancel` takes no fields. */
export const idParams = {
  $$strict: true,
  id: { type: "uuid" },
} as const;

export interface IdParams {
  id: string;
}
