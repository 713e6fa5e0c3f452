import fc from "fast-check";
import type { Invoice } from "../../contracts/invoices";
import type { Order } from "../../contracts/orders";
import { MAX_COUNTED, type Page } from "../../contracts/paging";
import { type Cluster, startCluster } from "../support/cluster";
import { eventually } from "../support/eventually";
import { type Fetch, newestFirst, walkBackward, walkByPage, walkForward } from "../support/list-walks";
import { createOrders } from "../support/orders";
import { queryDatabase } from "../support/postgres";

/**
 * Paging through GET /orders while orders are being created, by cursor and by page number, from a
 * seeded fast-check plan: a fresh seed each run, in the test's name; PAGING_SEED=<seed> replays it.
 */
const seed = Number(process.env.PAGING_SEED ?? Math.floor(Math.random() * 2 ** 31));
const RUNS = 6;

let cluster: Cluster;

beforeAll(async () => {
  cluster = await startCluster();
});

afterAll(async () => {
  await cluster?.stop();
});

interface Listed {
  id: string;
  createdAt: string;
}

/**
 * Orders created together: `http`, as concurrent POSTs, which the orders node group-commits (equal
 * creation times when they share a millisecond); `sql`, as one INSERT whose rows share one creation
 * time for sure: now, or (`tie`) the time of a row already listed, which puts them among older rows.
 */
type Batch = { via: "http"; size: number } | { via: "sql"; size: number; tie?: number };

const batch: fc.Arbitrary<Batch> = fc.oneof(
  fc.record({ via: fc.constant("http" as const), size: fc.integer({ min: 1, max: 12 }) }),
  fc.record({ via: fc.constant("sql" as const), size: fc.integer({ min: 2, max: 12 }), tie: fc.option(fc.nat(), { nil: undefined }) }),
);

const plan = fc.record({
  initial: fc.array(batch, { minLength: 1, maxLength: 5 }).filter((batches) => batches.some(({ via }) => via === "sql")),
  pageSize: fc.integer({ min: 1, max: 6 }),
  /** the i-th goes out together with the walks' i-th request */
  during: fc.array(fc.option(batch, { nil: undefined, freq: 2 }), { maxLength: 12 }),
});

const INSERT_AT_ONE_TIME = `
  INSERT INTO orders (id, customer_id, customer, currency, items, total, created_at, updated_at)
  SELECT gen_random_uuid(), $1, '{"name": "Ada Lovelace", "email": "ada@example.com"}', 'EUR',
         '[{"sku": "BOOK-1", "description": "", "quantity": 2, "unitPrice": 1500, "total": 3000}]', 3000, $2, $2
  FROM generate_series(1, $3)`;

const byCreation = newestFirst("createdAt");
const ids = (rows: Array<{ id: string }>) => rows.map(({ id }) => id);

async function write(batch: Batch, customerId: string, listed: Listed[]): Promise<void> {
  if (batch.via === "http") {
    await createOrders(cluster, batch.size, customerId);
    return;
  }
  const at = batch.tie === undefined || listed.length === 0 ? new Date() : new Date(listed[batch.tie % listed.length].createdAt);
  await queryDatabase(cluster.databases.orders, INSERT_AT_ONE_TIME, [customerId, at, batch.size]);
}

/** The customer's orders as stored, in the order the list promises (sorted here, not by the database). */
async function stored(customerId: string): Promise<Listed[]> {
  const rows = await queryDatabase<{ id: string; created_at: Date }>(
    cluster.databases.orders,
    "SELECT id, created_at FROM orders WHERE customer_id = $1",
    [customerId],
  );
  return rows.map((row) => ({ id: row.id, createdAt: row.created_at.toISOString() })).sort(byCreation);
}

/** No row twice, and each of `expected` once. */
function expectEachOnce(seen: Listed[], expected: Listed[]): void {
  expect(ids(seen).filter((id, i, all) => all.indexOf(id) !== i)).toEqual([]);
  const seenIds = new Set(ids(seen));
  expect(ids(expected).filter((id) => !seenIds.has(id))).toEqual([]);
}

describe("GET /orders, paged while orders are created", () => {
  let run = 0;

  it(`shows every row once by cursor, both ways, and by page number at rest (seed ${seed}; replay: PAGING_SEED=${seed})`, async () => {
    await fc.assert(
      fc.asyncProperty(plan, async ({ initial, pageSize, during }) => {
        const customerId = `paging-${run++}`;
        const list = `/orders?customerId=${customerId}`;
        for (const planned of initial) await write(planned, customerId, await stored(customerId));
        const before = await stored(customerId);

        let step = 0;
        const writes: Array<Promise<void>> = [];
        const whileWriting: Fetch = (path) => {
          const planned = during[step++];
          if (planned) writes.push(write(planned, customerId, before));
          return cluster.http.get(path);
        };

        // By cursor, while orders are created: in list order, no row twice, every row there at the start once.
        const forward = await walkForward<Order>(whileWriting, list, pageSize);
        expect(ids(forward)).toEqual(ids([...forward].sort(byCreation)));
        expectEachOnce(forward, before);

        // Backwards from the oldest row seen: pages newest first, each newer than the last, every row seen on the way there once.
        const oldest = forward[forward.length - 1];
        const pagesBack = await walkBackward<Order>(whileWriting, list, pageSize, oldest.id);
        const back = pagesBack.toReversed().flat();
        expect(ids(back)).toEqual(ids([...back].sort(byCreation)));
        expectEachOnce(back, forward.slice(0, -1));
        expect(ids(back)).not.toContain(oldest.id);

        // At rest, every walk shows the whole list in its order, each row once.
        await Promise.all(writes);
        const all = await stored(customerId);
        const pages = await walkByPage<Order>(cluster.http.get, list, pageSize);
        expect(pages.map((page) => page.total)).toEqual(pages.map(() => all.length));
        expect(ids(pages.flatMap((page) => page.rows))).toEqual(ids(all));
        expect(ids(await walkForward<Order>(cluster.http.get, list, pageSize))).toEqual(ids(all));
        const restBack = await walkBackward<Order>(cluster.http.get, list, pageSize, all[all.length - 1].id);
        expect(ids(restBack.toReversed().flat())).toEqual(ids(all.slice(0, -1)));
      }),
      { seed, numRuns: RUNS, endOnFailure: true },
    );

    // What the plans promised: orders sharing a creation time, which only the id tells apart.
    const [{ tied }] = await queryDatabase<{ tied: number }>(
      cluster.databases.orders,
      "SELECT count(*)::int AS tied FROM (SELECT created_at FROM orders GROUP BY customer_id, created_at HAVING count(*) > 1) t",
    );
    expect(tied).toBeGreaterThan(0);
  });

  it("walks the unfiltered list by cursor and by page number alike", async () => {
    const [{ count }] = await queryDatabase<{ count: number }>(cluster.databases.orders, "SELECT count(*)::int AS count FROM orders");
    const pages = await walkByPage<Order>(cluster.http.get, "/orders", 100);
    expect(pages[0].total).toBe(count > MAX_COUNTED ? null : count);
    const byPage = pages.flatMap((page) => page.rows);
    expect(ids(byPage)).toEqual(ids([...byPage].sort(byCreation)));
    expectEachOnce(byPage, byPage);
    expect(ids(await walkForward<Order>(cluster.http.get, "/orders", 100))).toEqual(ids(byPage));
  });
});

describe("the count of a page by number", () => {
  it(`is exact up to ${MAX_COUNTED} matching rows and null beyond, the pages going on while hasMore`, async () => {
    const list = "/orders?customerId=counted&pageSize=100";
    await queryDatabase(cluster.databases.orders, INSERT_AT_ONE_TIME, ["counted", new Date(), MAX_COUNTED]);
    const atTheBound = await cluster.http.get<Page<Order>>(list);
    expect(atTheBound).toMatchObject({ status: 200, body: { total: MAX_COUNTED, totalPages: MAX_COUNTED / 100, hasMore: true } });

    await queryDatabase(cluster.databases.orders, INSERT_AT_ONE_TIME, ["counted", new Date(), 1]);
    const beyond = await cluster.http.get<Page<Order>>(list);
    expect(beyond).toMatchObject({ status: 200, body: { total: null, totalPages: null, page: 1, hasMore: true } });
    expect(beyond.body.rows).toHaveLength(100);
    const last = await cluster.http.get<Page<Order>>(`${list}&page=${MAX_COUNTED / 100 + 1}`);
    expect(last).toMatchObject({ status: 200, body: { total: null, totalPages: null, hasMore: false } });
    expect(last.body.rows).toHaveLength(1);
  });
});

describe("cursor anchors", () => {
  it("position a page even when the filters exclude the anchor, which may have left them during a walk", async () => {
    const created = [
      ...(await createOrders(cluster, 1, "anchor-a")),
      ...(await createOrders(cluster, 1, "anchor-b")),
      ...(await createOrders(cluster, 1, "anchor-a")),
    ];
    const anchor = created[1];
    const listed = (await Promise.all(created.map(async (id) => (await cluster.http.get<Order>(`/orders/${id}`)).body))).sort(byCreation);
    const at = listed.findIndex(({ id }) => id === anchor);
    const ofA = (orders: Order[]) => ids(orders.filter(({ customerId }) => customerId === "anchor-a"));

    const after = await cluster.http.get(`/orders?customerId=anchor-a&starting_after=${anchor}`);
    expect(after).toMatchObject({ status: 200, body: { pageSize: 20, hasMore: false } });
    expect(ids(after.body.rows)).toEqual(ofA(listed.slice(at + 1)));
    const before = await cluster.http.get(`/orders?customerId=anchor-a&ending_before=${anchor}`);
    expect(ids(before.body.rows)).toEqual(ofA(listed.slice(0, at)));

    // Once invoiced, the anchor is outside status=pending, and still places the pending order older than it.
    await queryDatabase(cluster.databases.orders, INSERT_AT_ONE_TIME, ["anchor-b", new Date("2020-01-01T00:00:00Z"), 1]);
    await eventually(async () => expect((await cluster.http.get(`/orders/${anchor}`)).body.status).toBe("invoiced"));
    const pending = await cluster.http.get<{ rows: Order[] }>(`/orders?customerId=anchor-b&status=pending&starting_after=${anchor}`);
    expect(pending.status).toBe(200);
    expect(pending.body.rows.map(({ createdAt, status }) => ({ createdAt, status }))).toEqual([
      { createdAt: "2020-01-01T00:00:00.000Z", status: "pending" },
    ]);
  });

  it("must name a row: an unknown id is a 422 naming the parameter, not a 404", async () => {
    const unknown = "6f1c1a52-8e8b-4b53-9f3f-2d2b0c8a1e11";
    for (const param of ["starting_after", "ending_before"]) {
      const res = await cluster.http.get(`/invoices?${param}=${unknown}`);
      expect(res).toMatchObject({ status: 422, body: { type: "VALIDATION_ERROR", data: [{ field: param, type: "cursorUnknown" }] } });
    }
  });

  it("stand alone: with page, or with each other, they are a 422 naming the parameter", async () => {
    const [id] = await createOrders(cluster, 1, "alone");
    expect(await cluster.http.get(`/orders?page=1&ending_before=${id}`)).toMatchObject({
      status: 422,
      body: { data: [{ field: "page", type: "pageWithCursor" }] },
    });
    expect(await cluster.http.get(`/orders?starting_after=${id}&ending_before=${id}`)).toMatchObject({
      status: 422,
      body: { data: [{ field: "ending_before", type: "cursorsTogether" }] },
    });
  });
});

describe("GET /invoices", () => {
  it("lists newest first by issuedAt, by page number and by cursor both ways, the same rows", async () => {
    const orderIds = [...(await createOrders(cluster, 9, "invoiced-list")), ...(await createOrders(cluster, 8, "invoiced-list"))];
    const list = "/invoices?customerId=invoiced-list";
    await eventually(async () => expect((await cluster.http.get(list)).body.total).toBe(orderIds.length));

    const byPage = (await walkByPage<Invoice>(cluster.http.get, list, 4)).flatMap((page) => page.rows);
    const byIssue = newestFirst("issuedAt");
    expect(ids(byPage)).toEqual(ids([...byPage].sort(byIssue)));
    expect(byPage.map((invoice) => invoice.orderId).sort()).toEqual([...orderIds].sort());

    expect(await walkForward<Invoice>(cluster.http.get, list, 4)).toEqual(byPage);
    const oldest = byPage[byPage.length - 1];
    expect((await walkBackward<Invoice>(cluster.http.get, list, 4, oldest.id)).toReversed().flat()).toEqual(byPage.slice(0, -1));
  });
});
