import type { Invoice } from "../../contracts/invoices";
import type { Order } from "../../contracts/orders";
import { ROUTES } from "../../services/gateway/routes";
import { startCluster, type Cluster } from "../support/cluster";
import { eventually } from "../support/eventually";
import { nodeRequest, rawExchange, type NodeHttpResult } from "../support/http";
import { orderBody } from "../support/orders";
import { queryDatabase } from "../support/postgres";

/** The gateway as a hostile client finds it. */

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
  expect({ status: res.status, contentType: res.headers["content-type"] }).toEqual({ status, contentType: expect.stringMatching(/^application\/json/) });
  expect(res.body).toMatchObject({ name: expect.any(String), message: expect.any(String), code: status, type });
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

describe("requests Node's HTTP parser refuses", () => {
  it("answers headers over the server's limit 431 HEADERS_TOO_LARGE in JSON, and closes", async () => {
    const res = await rawExchange(cluster.baseUrl, `GET /health HTTP/1.1\r\nHost: gateway\r\nX-Padding: ${"a".repeat(20_000)}\r\n\r\n`);
    expect(res).toMatchObject({ status: 431, headers: { "content-type": expect.stringMatching(/^application\/json/), connection: "close" } });
    expect(res.body).toMatchObject({ code: 431, type: "HEADERS_TOO_LARGE" });
  });

  it.each([
    ["a header line without a colon", "GET /health HTTP/1.1\r\nHost: gateway\r\nNo colon here\r\n\r\n"],
    ["Content-Length and Transfer-Encoding both", "POST /orders HTTP/1.1\r\nHost: gateway\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n{}"],
    ["a Content-Length that is not a number", "POST /orders HTTP/1.1\r\nHost: gateway\r\nContent-Length: two\r\n\r\n{}"],
    ["a method Node does not know", "BREW /orders HTTP/1.1\r\nHost: gateway\r\n\r\n"],
  ])("answers %s 400 BAD_REQUEST in JSON, and closes", async (_, raw) => {
    const res = await rawExchange(cluster.baseUrl, raw);
    expect(res).toMatchObject({ status: 400, headers: { "content-type": expect.stringMatching(/^application\/json/), connection: "close" } });
    expect(res.body).toMatchObject({ code: 400, type: "BAD_REQUEST", data: { reason: expect.any(String) } });
  });

  it("still answers on other connections", async () => {
    expect((await request("GET", "/health")).status).toBe(200);
  });
});
