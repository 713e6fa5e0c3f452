import { brotliCompressSync, deflateSync, gzipSync, zstdCompressSync } from "node:zlib";
import type { Invoice } from "../../contracts/invoices";
import type { Order } from "../../contracts/orders";
import { ROUTES } from "../../services/gateway/routes";
import { type Cluster, startCluster } from "../support/cluster";
import { eventually } from "../support/eventually";
import { type NodeHttpResult, nodeRequest, rawExchange } from "../support/http";
import { orderBody } from "../support/orders";
import { queryDatabase } from "../support/postgres";

/** The gateway as a hostile client finds it: methods, framing, encodings, charsets, where fields come from, JSON's shape. */

let cluster: Cluster;

beforeAll(async () => {
  cluster = await startCluster();
});

afterAll(async () => {
  await cluster?.stop();
});

const request = (method: string, path: string, init?: { headers?: Record<string, string>; body?: string | Buffer }) =>
  nodeRequest(cluster.baseUrl, method, path, init);
const postJson = (path: string, body: string | Buffer, headers: Record<string, string> = {}) =>
  request("POST", path, { body, headers: { "content-type": "application/json", ...headers } });

const unknownId = "6f1c1a52-8e8b-4b53-9f3f-2d2b0c8a1e11";

/** Each test makes its orders for a customer of its own: what is stored for it is that test's. */
const storedOrders = (customerId: string) =>
  queryDatabase<{ id: string; status: string; customer: { name: string } }>(
    cluster.databases.orders,
    "SELECT id, status, customer FROM orders WHERE customer_id = $1",
    [customerId],
  );

function expectRefusal(res: NodeHttpResult, status: number, type: string): void {
  expect({ status: res.status, contentType: res.headers["content-type"] }).toEqual({
    status,
    contentType: expect.stringMatching(/^application\/json/),
  });
  expect(res.body).toMatchObject({ name: expect.any(String), message: expect.any(String), code: status, type });
}

function expectFieldRefused(res: NodeHttpResult, field: string, type?: string): void {
  expectRefusal(res, 422, "VALIDATION_ERROR");
  expect(res.body.data).toContainEqual({ field, message: expect.any(String), type: type ?? expect.any(String) });
}

async function createOrder(customerId: string): Promise<Order> {
  const res = await postJson("/orders", JSON.stringify(orderBody(customerId)));
  expect(res.status).toBe(201);
  return res.body;
}

async function invoiceOf(orderId: string): Promise<Invoice> {
  return eventually(async () => {
    const { body } = await request("GET", `/invoices?orderId=${orderId}`);
    expect(body.rows).toHaveLength(1);
    return body.rows[0];
  });
}

describe("methods", () => {
  it.each([
    ["DELETE", "/orders", "GET, HEAD, OPTIONS, POST"],
    ["PUT", `/orders/${unknownId}`, "GET, HEAD, OPTIONS"],
    ["PATCH", `/invoices/${unknownId}`, "GET, HEAD, OPTIONS"],
    ["GET", `/orders/${unknownId}/cancel`, "OPTIONS, POST"],
    ["DELETE", `/invoices/${unknownId}/pay`, "OPTIONS, POST"],
    ["POST", "/health", "GET, HEAD, OPTIONS"],
    ["POST", "/invoices", "GET, HEAD, OPTIONS"],
  ])("%s %s → 405 METHOD_NOT_ALLOWED, Allow: %s", async (method, path, allow) => {
    const res = await request(method, path);
    expectRefusal(res, 405, "METHOD_NOT_ALLOWED");
    expect(res.headers.allow).toBe(allow);
    expect(res.body.data).toEqual({ method, allow: allow.split(", ") });
  });

  it("answers OPTIONS 204 with Allow, and calls nothing, even when it names a method and carries a body", async () => {
    const preflight = await request("OPTIONS", "/orders", {
      headers: { "access-control-request-method": "POST", "content-type": "application/json" },
      body: JSON.stringify(orderBody("options")),
    });
    expect(preflight).toMatchObject({ status: 204, text: "" });
    expect(preflight.headers.allow).toBe("GET, HEAD, OPTIONS, POST");
    expect(await request("OPTIONS", `/orders/${unknownId}/cancel`)).toMatchObject({ status: 204, headers: { allow: "OPTIONS, POST" } });
    expect(await storedOrders("options")).toEqual([]);
  });

  it.each([
    ["DELETE", "/customers"],
    ["OPTIONS", "/customers"],
    ["GET", `/orders/${unknownId}/refund`],
    ["POST", "/orders/cancel/now/please"],
  ])("%s %s (no such path) → 404 NOT_FOUND, without Allow", async (method, path) => {
    const res = await request(method, path);
    expectRefusal(res, 404, "NOT_FOUND");
    expect(res.headers.allow).toBeUndefined();
  });

  it("answers HEAD on every GET route as GET: same status and headers, no body", async () => {
    const order = await createOrder("head");
    const invoice = await invoiceOf(order.id);
    // Until nothing is in flight, /ready's report of it may change between two answers.
    await eventually(async () => {
      const { consistency } = (await request("GET", "/ready")).body;
      expect([consistency.orders.outbox.pending, consistency.invoices.outbox.pending]).toEqual([0, 0]);
    });
    const ids: Record<string, string> = { "/orders/:id": order.id, "/invoices/:id": invoice.id };
    const paths = ROUTES.filter((route) => route.method === "GET").map((route) => route.path.replace(":id", ids[route.path] ?? ""));
    paths.push(`/orders/${unknownId}`, "/orders?customerId=head", "/orders?pageSize=0");
    // What differs between any two answers: when, and the request's id.
    const comparable = ({ date: _, "x-request-id": __, ...headers }: NodeHttpResult["headers"]) => headers;
    for (const path of paths) {
      const get = await request("GET", path);
      const head = await request("HEAD", path);
      expect({ path, status: head.status, headers: comparable(head.headers), text: head.text }).toEqual({
        path,
        status: get.status,
        headers: comparable(get.headers),
        text: "",
      });
    }
  });
});

describe("X-Request-ID", () => {
  it("is the caller's when given, a new one when not or when empty, on every answer, probes included", async () => {
    for (const path of ["/orders?limit=1", `/orders/${unknownId}`, "/health", "/ready"]) {
      const given = await request("GET", path, { headers: { "x-request-id": "caller-chose-this" } });
      expect(given.headers["x-request-id"]).toBe("caller-chose-this");
      for (const headers of [{}, { "x-request-id": "" }] as Array<Record<string, string>>) {
        const made = await request("GET", path, { headers });
        expect({ path, made: made.headers["x-request-id"] }).toEqual({ path, made: expect.stringMatching(/^[0-9a-f-]{36}$/) });
      }
    }
  });
});

describe("requests Node's HTTP parser refuses", () => {
  it("answers headers over the server's limit 431 HEADERS_TOO_LARGE in JSON, and closes", async () => {
    const res = await rawExchange(cluster.baseUrl, `GET /health HTTP/1.1\r\nHost: gateway\r\nX-Padding: ${"a".repeat(20_000)}\r\n\r\n`);
    expect(res).toMatchObject({
      status: 431,
      headers: { "content-type": expect.stringMatching(/^application\/json/), connection: "close" },
    });
    expect(res.body).toMatchObject({ code: 431, type: "HEADERS_TOO_LARGE" });
  });

  it.each([
    ["a header line without a colon", "GET /health HTTP/1.1\r\nHost: gateway\r\nNo colon here\r\n\r\n"],
    [
      "Content-Length and Transfer-Encoding both",
      "POST /orders HTTP/1.1\r\nHost: gateway\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n{}",
    ],
    ["a Content-Length that is not a number", "POST /orders HTTP/1.1\r\nHost: gateway\r\nContent-Length: two\r\n\r\n{}"],
    ["a method Node does not know", "BREW /orders HTTP/1.1\r\nHost: gateway\r\n\r\n"],
  ])("answers %s 400 BAD_REQUEST in JSON, and closes", async (_, raw) => {
    const res = await rawExchange(cluster.baseUrl, raw);
    expect(res).toMatchObject({
      status: 400,
      headers: { "content-type": expect.stringMatching(/^application\/json/), connection: "close" },
    });
    expect(res.body).toMatchObject({ code: 400, type: "BAD_REQUEST", data: { reason: expect.any(String) } });
  });

  it("still answers on other connections", async () => {
    expect((await request("GET", "/health")).status).toBe(200);
  });
});

describe("Content-Encoding", () => {
  it.each([
    ["gzip", gzipSync],
    ["deflate", deflateSync],
    ["br", brotliCompressSync],
    ["GZIP", gzipSync],
  ])("takes a %s body, stored as sent", async (encoding, compress) => {
    const customerId = `encoded-${encoding}`;
    const body = { ...orderBody(customerId), customer: { name: "Zoë Ünal", email: "zoe@example.com" } };
    const res = await postJson("/orders", compress(Buffer.from(JSON.stringify(body))), { "content-encoding": encoding });
    expect(res.status).toBe(201);
    expect((await storedOrders(customerId)).map((order) => order.customer.name)).toEqual(["Zoë Ünal"]);
  });

  it.each([
    ["zstd", zstdCompressSync(Buffer.from(JSON.stringify(orderBody("zstd"))))],
    ["compress", Buffer.from(JSON.stringify(orderBody("zstd")))],
    ["gzip, br", brotliCompressSync(gzipSync(Buffer.from(JSON.stringify(orderBody("zstd")))))],
  ])("refuses %s as 415 UNSUPPORTED_CONTENT_ENCODING, naming it, and stores nothing", async (encoding, body) => {
    const res = await postJson("/orders", body, { "content-encoding": encoding });
    expectRefusal(res, 415, "UNSUPPORTED_CONTENT_ENCODING");
    expect(res.body.data).toEqual({ encoding });
    expect(res.headers["accept-encoding"]).toBe("identity, gzip, deflate, br");
    expect(await storedOrders("zstd")).toEqual([]);
  });

  it.each([
    ["garbage", Buffer.from("not gzip at all")],
    ["a truncated stream", gzipSync(Buffer.from(JSON.stringify(orderBody("truncated")))).subarray(0, 30)],
  ])("answers a gzip body that is %s 400 INVALID_CONTENT_ENCODING", async (_, body) => {
    const res = await postJson("/orders", body, { "content-encoding": "gzip" });
    expectRefusal(res, 400, "INVALID_CONTENT_ENCODING");
    expect(res.body.data).toEqual({ encoding: "gzip" });
    expect(await storedOrders("truncated")).toEqual([]);
  });

  it("refuses a body announced larger than the limit 413 at once, without reading it, and closes the connection", async () => {
    const res = await rawExchange(
      cluster.baseUrl,
      'POST /orders HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\nContent-Length: 1000000000\r\n\r\n{"customerId":',
    );
    expect({ status: res.status, type: res.body.type, data: res.body.data, connection: res.headers.connection }).toEqual({
      status: 413,
      type: "PAYLOAD_TOO_LARGE",
      data: { limit: 64 * 1024 },
      connection: "close",
    });
  });

  it("takes Content-Length: 0 as no body, whatever its Content-Encoding says", async () => {
    const res = await request("GET", "/orders?pageSize=1", { headers: { "content-length": "0", "content-encoding": "gzip" } });
    expect(res.status).toBe(200);
  });

  it("measures the body limit on the inflated body: a small gzip of a huge body is 413 PAYLOAD_TOO_LARGE", async () => {
    const huge = gzipSync(Buffer.from(JSON.stringify({ ...orderBody("bomb"), customerId: "x".repeat(10_000_000) })));
    expect(huge.length).toBeLessThan(64 * 1024);
    const res = await postJson("/orders", huge, { "content-encoding": "gzip" });
    expectRefusal(res, 413, "PAYLOAD_TOO_LARGE");
    expect(res.body.data).toEqual({ limit: 64 * 1024 });
  });
});

describe("charsets", () => {
  it.each([
    // "é" in UTF-7; body-parser decoded it, and the name was stored changed.
    ["utf-7", Buffer.from(JSON.stringify({ ...orderBody("charset"), customer: { name: "Ren+AOk-", email: "r@example.com" } }))],
    ["UTF-16", Buffer.from(`\ufeff${JSON.stringify(orderBody("charset"))}`, "utf16le")],
    ["iso-8859-1", Buffer.from(JSON.stringify({ ...orderBody("charset"), customer: { name: "René", email: "r@example.com" } }), "latin1")],
  ])("refuses charset=%s as 415 UNSUPPORTED_CHARSET, naming it, and stores nothing", async (charset, body) => {
    const res = await request("POST", "/orders", { body, headers: { "content-type": `application/json; charset=${charset}` } });
    expectRefusal(res, 415, "UNSUPPORTED_CHARSET");
    expect(res.body.data).toEqual({ charset });
    expect(await storedOrders("charset")).toEqual([]);
  });

  it("refuses bytes that are not UTF-8 as 400 INVALID_JSON instead of storing replacement characters", async () => {
    const json = JSON.stringify({ ...orderBody("not-utf8"), customer: { name: "Ren#", email: "r@example.com" } });
    const body = Buffer.from(json);
    body[body.indexOf("#")] = 0xe9; // "é" in Latin-1: not UTF-8
    const res = await request("POST", "/orders", { body, headers: { "content-type": "application/json; charset=utf-8" } });
    expectRefusal(res, 400, "INVALID_JSON");
    expect(await storedOrders("not-utf8")).toEqual([]);
  });

  it("takes charset=UTF-8 in any case, and ignores a leading byte order mark (RFC 8259 §8.1)", async () => {
    const body = JSON.stringify({ ...orderBody("bom"), customer: { name: "René", email: "r@example.com" } });
    expect(
      (await request("POST", "/orders", { body: `\ufeff${body}`, headers: { "content-type": "application/json; charset=UTF-8" } })).status,
    ).toBe(201);
    expect((await storedOrders("bom")).map((order) => order.customer.name)).toEqual(["René"]);
  });
});

describe("bodies where none is taken", () => {
  it.each([
    ["GET", "/orders", { "content-length": "2" }, "Content-Length"],
    ["GET", "/health", { "transfer-encoding": "chunked" }, "Transfer-Encoding"],
    ["GET", `/orders/${unknownId}`, { "content-length": "2", "content-type": "application/json" }, "Content-Length"],
  ])("%s %s with a body → 400 BODY_NOT_ALLOWED naming %s", async (method, path, headers, header) => {
    const res = await request(method, path, { headers, body: "{}" });
    expectRefusal(res, 400, "BODY_NOT_ALLOWED");
    expect(res.body.data).toEqual({ header });
  });

  it("HEAD with a body → 400, as GET", async () => {
    const res = await request("HEAD", "/orders", { headers: { "content-length": "2" }, body: "{}" });
    expect({ status: res.status, text: res.text }).toEqual({ status: 400, text: "" });
  });

  it("cancels with no body, an empty one, or {}", async () => {
    const orders = await Promise.all([1, 2, 3].map(() => createOrder("cancel-bodies")));
    const answers = await Promise.all([
      rawExchange(cluster.baseUrl, `POST /orders/${orders[0].id}/cancel HTTP/1.1\r\nHost: gateway\r\nConnection: close\r\n\r\n`),
      request("POST", `/orders/${orders[1].id}/cancel`, { headers: { "content-length": "0" } }),
      postJson(`/orders/${orders[2].id}/cancel`, "{}"),
    ]);
    expect(answers.map((res) => [res.status, res.body.status])).toEqual(Array(3).fill([200, "cancelled"]));
  });

  it.each([
    [`{"reason":"changed my mind"}`, "reason", "objectStrict"],
    [`{"id":"${unknownId}"}`, "id", "pathParameter"],
  ])("refuses a cancel whose body is %s, naming %s, and leaves the order as it was", async (body, field, type) => {
    const order = await createOrder(`cancel-${field}`);
    expectFieldRefused(await postJson(`/orders/${order.id}/cancel`, body), field, type);
    expect((await storedOrders(`cancel-${field}`)).map((stored) => stored.status)).not.toContain("cancelled");
  });

  it("refuses a payment with a field in its body, naming it; the invoice stays open until paid with {}", async () => {
    const invoice = await invoiceOf((await createOrder("pay-body")).id);
    expectFieldRefused(await postJson(`/invoices/${invoice.id}/pay`, `{"amount":3000}`), "amount", "objectStrict");
    expect((await request("GET", `/invoices/${invoice.id}`)).body.status).toBe("open");
    expect((await postJson(`/invoices/${invoice.id}/pay`, "{}")).body.status).toBe("paid");
  });
});

describe("one source per field", () => {
  it("refuses a query string on POST /orders, naming each parameter, and stores nothing", async () => {
    const res = await postJson("/orders?customerId=from-query&coupon=FREE", JSON.stringify(orderBody("from-body")));
    expectFieldRefused(res, "customerId", "queryNotAllowed");
    expectFieldRefused(res, "coupon", "queryNotAllowed");
    expect([...(await storedOrders("from-body")), ...(await storedOrders("from-query"))]).toEqual([]);
  });

  it("refuses a query string on a cancel, and leaves the order as it was", async () => {
    const order = await createOrder("cancel-query");
    expectFieldRefused(await request("POST", `/orders/${order.id}/cancel?force=true`), "force", "queryNotAllowed");
    expect((await storedOrders("cancel-query")).map((stored) => stored.status)).not.toContain("cancelled");
  });

  it("refuses a query parameter named like a path parameter, and an unknown one, on GET /orders/:id", async () => {
    const order = await createOrder("get-query");
    expectFieldRefused(await request("GET", `/orders/${order.id}?id=${unknownId}`), "id", "pathParameter");
    expectFieldRefused(await request("GET", `/orders/${order.id}?expand=items`), "expand", "objectStrict");
  });

  it.each([
    ["GET", "/orders/%ZZ"],
    ["POST", "/orders/%E0%A4%A/cancel"],
  ])("answers %s %s, a path that is not valid percent-encoding, 400 BAD_REQUEST", async (method, path) => {
    const res = await request(method, path);
    expectRefusal(res, 400, "BAD_REQUEST");
    expect(res.body.data).toEqual({ reason: "UNABLE_DECODE_PARAM" });
  });
});

describe("the shape of JSON bodies", () => {
  /** An order whose customerId is arrays nested `depth` deep. */
  const deepOrder = (depth: number) =>
    JSON.stringify(orderBody("deep")).replace('"customerId":"deep"', `"customerId":${"[".repeat(depth)}1${"]".repeat(depth)}`);

  it("refuses a body nested deeper than 8 levels with 422, naming the path, before calling anything", async () => {
    const res = await postJson("/orders", deepOrder(5_000));
    expectFieldRefused(res, `customerId${"[0]".repeat(7)}`, "tooDeep");
  });

  it.each([
    ["items[0].constructor", (body: any) => ({ ...body, items: [{ ...body.items[0], constructor: { name: "x" } }] })],
    ["prototype", (body: any) => ({ ...body, prototype: {} })],
  ])("refuses a %s key with 422, naming its path", async (field, change) => {
    expectFieldRefused(await postJson("/orders", JSON.stringify(change(orderBody("forbidden")))), field, "forbiddenKey");
    expect(await storedOrders("forbidden")).toEqual([]);
  });

  it("refuses a __proto__ key instead of letting it set the params' prototype", async () => {
    const { customerId, ...rest } = orderBody("proto");
    const body = `{"__proto__":{"customerId":"${customerId}"},${JSON.stringify(rest).slice(1)}`;
    expectFieldRefused(await postJson("/orders", body), "__proto__", "forbiddenKey");
    expect(await storedOrders("proto")).toEqual([]);
  });

  it("answers the valid orders sent at the same moment as a deep one, each 201", async () => {
    const valid = Array.from({ length: 20 }, () => postJson("/orders", JSON.stringify(orderBody("beside-deep"))));
    const deep = postJson("/orders", deepOrder(20_000));
    const [poisoned, ...innocent] = await Promise.all([deep, ...valid]);
    expect(innocent.map((res) => res.status)).toEqual(Array(20).fill(201));
    expect(poisoned.status).toBe(422);
    expect(await storedOrders("beside-deep")).toHaveLength(20);
  });

  it("refuses an array body as 400 INVALID_JSON", async () => {
    expectRefusal(await postJson("/orders", JSON.stringify([orderBody("array")])), 400, "INVALID_JSON");
  });
});

describe("Idempotency-Key on routes that do not honour it", () => {
  it.each(["/health", "/ready", "/orders", `/invoices?customerId=x`])("GET %s ignores a malformed key", async (path) => {
    const res = await request("GET", path, { headers: { "idempotency-key": "not a key: it has spaces" } });
    expect(res.status).toBe(200);
  });

  it("POST /orders still refuses it, naming the header", async () => {
    const res = await postJson("/orders", JSON.stringify(orderBody("bad-key")), { "idempotency-key": "x".repeat(256) });
    expectFieldRefused(res, "Idempotency-Key");
    expect(await storedOrders("bad-key")).toEqual([]);
  });
});

describe("the gateway's log", () => {
  it("holds no error and no stack trace for any of these client mistakes", () => {
    const entries = cluster.logs("api").split(/\n(?=\[[\d:.]+Z\] )/);
    const gateway = entries.filter((entry) => /^\S+ +\w+ +API:/.test(entry));
    expect(gateway.filter((entry) => /^\S+ +ERROR|\n\s+at /.test(entry))).toEqual([]);
  });
});
