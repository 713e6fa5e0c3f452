import type { CursorPage, Page } from "../../contracts/paging";
import type { HttpResult } from "./http";

/** A GET of the gateway; a test may run other work alongside each request. */
export type Fetch = (path: string) => Promise<HttpResult>;

type Row = { id: string };

const PAGE_KEYS = ["hasMore", "page", "pageSize", "rows", "total", "totalPages"];
const CURSOR_PAGE_KEYS = ["hasMore", "pageSize", "rows"];

const compare = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);

/** `list` (a path, perhaps with filters) with more of the query. */
const withQuery = (list: string, query: string) => `${list}${list.includes("?") ? "&" : "?"}${query}`;

/** The order a list promises, by its timestamp attribute: newest first, the greater id first among equal times. */
export const newestFirst =
  <K extends string>(time: K) =>
  (a: Row & Record<K, string>, b: Row & Record<K, string>): number =>
    compare(b[time], a[time]) || compare(b.id, a.id);

async function fetchPage<T>(fetch: Fetch, path: string, keys: string[], pageSize: number): Promise<T> {
  const { status, body } = await fetch(path);
  expect({ path, status }).toEqual({ path, status: 200 });
  expect(Object.keys(body).sort()).toEqual(keys);
  expect(body.pageSize).toBe(pageSize);
  expect(body.rows.length).toBeLessThanOrEqual(pageSize);
  if (body.hasMore) expect(body.rows).toHaveLength(pageSize);
  return body as T;
}

/** A page by cursor; when the page before said `hasMore`, it has rows (none is ever deleted). */
async function fetchCursorPage<T>(fetch: Fetch, path: string, pageSize: number, promised: boolean): Promise<CursorPage<T>> {
  const body = await fetchPage<CursorPage<T>>(fetch, path, CURSOR_PAGE_KEYS, pageSize);
  if (promised) expect({ path, rows: body.rows.length > 0 }).toEqual({ path, rows: true });
  return body;
}

/**
 * `list` by `page`, from 1 until a page says `hasMore` is false. When the first page has a `total`, the
 * walk ends on the page it announced.
 */
export async function walkByPage<T extends Row>(fetch: Fetch, list: string, pageSize: number): Promise<Array<Page<T>>> {
  const pages: Array<Page<T>> = [];
  for (let page = 1; ; page++) {
    const body = await fetchPage<Page<T>>(fetch, withQuery(list, `pageSize=${pageSize}&page=${page}`), PAGE_KEYS, pageSize);
    expect(body.page).toBe(page);
    pages.push(body);
    if (!body.hasMore) break;
  }
  const announced = pages[0].totalPages;
  if (announced !== null) expect({ list, pages: pages.length }).toEqual({ list, pages: Math.max(1, announced) });
  return pages;
}

/** `list` from its first page (by number), then `starting_after` the last row seen until `hasMore` is false: the rows seen, in the order seen. */
export async function walkForward<T extends Row>(fetch: Fetch, list: string, pageSize: number): Promise<T[]> {
  const first = await fetchPage<Page<T>>(fetch, withQuery(list, `pageSize=${pageSize}`), PAGE_KEYS, pageSize);
  const seen = [...first.rows];
  let promised = false;
  while (seen.length > 0) {
    const after = seen[seen.length - 1].id;
    const body = await fetchCursorPage<T>(fetch, withQuery(list, `pageSize=${pageSize}&starting_after=${after}`), pageSize, promised);
    seen.push(...body.rows);
    if (!body.hasMore) break;
    promised = true;
  }
  return seen;
}

/**
 * `list` by `ending_before` from `anchor`, then before the newest row seen, until `hasMore` is false:
 * the pages in the order fetched (each newest first, each newer than the one before).
 */
export async function walkBackward<T extends Row>(fetch: Fetch, list: string, pageSize: number, anchor: string): Promise<T[][]> {
  const pages: T[][] = [];
  let before = anchor;
  let promised = false;
  for (;;) {
    const body = await fetchCursorPage<T>(fetch, withQuery(list, `pageSize=${pageSize}&ending_before=${before}`), pageSize, promised);
    if (body.rows.length > 0) pages.push(body.rows);
    if (!body.hasMore) return pages;
    before = body.rows[0].id;
    promised = true;
  }
}
