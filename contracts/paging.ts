import { queryInteger } from "./query-integer";

/** The page shape every list endpoint returns (moleculer-db's `list` shape). */
export interface Page<T> {
  rows: T[];
  total: number;
  page: number;
  pageSize: number;
  totalPages: number;
}

export interface PagingParams {
  page: number;
  pageSize: number;
}

/** Deeper pages are out of reach by number: an OFFSET reads and drops every row before its page. */
export const MAX_PAGE = 10_000;
export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;

/** The paging query parameters of every list endpoint, as the list actions validate them. */
export const pagingParams = {
  page: queryInteger({ min: 1, max: MAX_PAGE, default: 1 }),
  pageSize: queryInteger({ min: 1, max: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE }),
} as const;

export const idParams = {
  $$strict: "remove",
  id: { type: "uuid" },
} as const;

export interface IdParams {
  id: string;
}
