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

export const MAX_PAGE_SIZE = 100;

/** Query-string values arrive as strings, hence `convert`. */
export const pagingParams = {
  page: { type: "number", integer: true, min: 1, default: 1, convert: true },
  pageSize: { type: "number", integer: true, min: 1, max: MAX_PAGE_SIZE, default: 20, convert: true },
} as const;

/** A field besides the id is refused (422 naming it), not dropped: `POST /orders/:id/cancel` takes no fields. */
export const idParams = {
  $$strict: true,
  id: { type: "uuid" },
} as const;

export interface IdParams {
  id: string;
}
