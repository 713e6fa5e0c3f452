import { type Cluster, startCluster } from "../support/cluster";
import { queryDatabase } from "../support/postgres";

let cluster: Cluster;

beforeAll(async () => {
  cluster = await startCluster();
});

afterAll(async () => {
  await cluster?.stop();
});

const valid = {
  customerId: "cust-1",
  customer: { name: "Ada Lovelace", email: "ada@example.com" },
  currency: "EUR",
  items: [{ sku: "BOOK-1", quantity: 1, unitPrice: 1500 }],
};
const withItem = (item: Record<string, unknown>) => ({ ...valid, items: [{ ...valid.items[0], ...item }] });
const json = { "content-type": "application/json" };

interface Case {
  name: string;
  body: string;
  headers?: Record<string, string>;
  status: number;
  type: string;
  /** the fields the error must name (422 only) */
  fields?: string[];
}

/** A body that breaks the validation rules of `fields`: 422 VALIDATION_ERROR naming each. */
const invalid = (name: string, body: unknown, ...fields: string[]): Case => ({
  name,
  body: JSON.stringify(body),
  status: 422,
  type: "VALIDATION_ERROR",
  fields,
});

const cases: Case[] = [
  { name: "malformed JSON", body: '{"customerId": ', status: 400, type: "INVALID_JSON" },
  { name: "a JSON string instead of an object", body: '"order"', status: 400, type: "INVALID_JSON" },
  invalid("an empty object", {}, "customerId", "customer", "currency", "items"),
  { name: "an array", body: "[]", status: 400, type: "INVALID_JSON" },
  { name: "an empty body", body: "", status: 422, type: "VALIDATION_ERROR", fields: ["customerId", "customer", "currency", "items"] },
  invalid("customerId of the wrong type", { ...valid, customerId: 7 }, "customerId"),
  invalid("a missing customer", { ...valid, customer: undefined }, "customer"),
  invalid("an invalid email", { ...valid, customer: { name: "A", email: "a@" } }, "customer.email"),
  invalid("an unknown field", { ...valid, discount: 10 }, "discount"),
  invalid("an unknown item field", withItem({ colour: "red" }), "items[0].colour"),
  invalid("a client-set total", withItem({ total: 1 }), "items[0].total"),
  invalid("a negative price", withItem({ unitPrice: -100 }), "items[0].unitPrice"),
  invalid("a fractional price", withItem({ unitPrice: 15.5 }), "items[0].unitPrice"),
  invalid("a price as a string", withItem({ unitPrice: "1500" }), "items[0].unitPrice"),
  invalid("a fractional quantity", withItem({ quantity: 0.5 }), "items[0].quantity"),
  invalid("a zero quantity", withItem({ quantity: 0 }), "items[0].quantity"),
  invalid("an absurd quantity", withItem({ quantity: 1e12 }), "items[0].quantity"),
  invalid("empty items", { ...valid, items: [] }, "items"),
  invalid("too many items", { ...valid, items: Array(101).fill(valid.items[0]) }, "items"),
  invalid("an unknown currency", { ...valid, currency: "ABC" }, "currency"),
  { name: "a huge body", body: JSON.stringify({ ...valid, customerId: "x".repeat(200_000) }), status: 413, type: "PAYLOAD_TOO_LARGE" },
  {
    name: "a form-encoded body",
    body: "customerId=cust-1",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    status: 415,
    type: "UNSUPPORTED_MEDIA_TYPE",
  },
  {
    name: "text/plain JSON",
    body: JSON.stringify(valid),
    headers: { "content-type": "text/plain" },
    status: 415,
    type: "UNSUPPORTED_MEDIA_TYPE",
  },
  { name: "no content type", body: JSON.stringify(valid), headers: {}, status: 415, type: "UNSUPPORTED_MEDIA_TYPE" },
];

describe("POST /orders with bad input", () => {
  it.each(cases)("answers $status $type to $name, in JSON", async ({ body, headers = json, status, type, fields }) => {
    const res = await cluster.http.raw("POST", "/orders", { body, headers });
    expect(res.status).toBe(status);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(res.body).toMatchObject({ code: status, type });
    for (const field of fields ?? []) {
      expect(res.body.data).toContainEqual(expect.objectContaining({ field, message: expect.any(String), type: expect.any(String) }));
    }
  });

  it("wrote nothing and published nothing for any of them", async () => {
    expect(await queryDatabase(cluster.databases.orders, "SELECT id FROM orders")).toEqual([]);
    expect(await queryDatabase(cluster.databases.invoices, "SELECT id FROM invoices")).toEqual([]);
  });

  it("still accepts the valid order afterwards", async () => {
    expect((await cluster.http.post("/orders", valid)).status).toBe(201);
  });
});

describe("reads with bad input", () => {
  const unknownId = "6f1c1a52-8e8b-4b53-9f3f-2d2b0c8a1e11";

  it.each([
    ["/orders/not-a-uuid", 422, "id"],
    ["/invoices/42", 422, "id"],
    ["/orders?page=0", 422, "page"],
    ["/orders?pageSize=101", 422, "pageSize"],
    ["/orders?pageSize=ten", 422, "pageSize"],
    ["/orders?page=1e2", 422, "page"],
    ["/orders?page=0x10", 422, "page"],
    ["/orders?page=%205", 422, "page"],
    ["/orders?page=", 422, "page"],
    ["/orders?page=10001", 422, "page"],
    ["/orders?page=99999999999999999999", 422, "page"],
    ["/invoices?pageSize=1.0", 422, "pageSize"],
    ["/orders?starting_after=42", 422, "starting_after"],
    ["/invoices?ending_before=", 422, "ending_before"],
    [`/orders?page=2&starting_after=${unknownId}`, 422, "page"],
    [`/orders?starting_after=${unknownId}&ending_before=${unknownId}`, 422, "ending_before"],
    [`/orders?starting_after=${unknownId}`, 422, "starting_after"],
    [`/invoices?ending_before=${unknownId}`, 422, "ending_before"],
    ["/orders?status=shipped", 422, "status"],
    ["/orders?sort=total", 422, "sort"],
    ["/invoices?orderId=nope", 422, "orderId"],
    ["/invoices?status=late", 422, "status"],
  ])("GET %s → %i naming %s", async (path, status, field) => {
    const res = await cluster.http.get(path);
    expect(res.status).toBe(status);
    expect(res.body.type).toBe("VALIDATION_ERROR");
    expect(res.body.data).toContainEqual(expect.objectContaining({ field }));
  });

  it.each([`/orders/${unknownId}`, `/invoices/${unknownId}`])("GET %s (unknown id) → 404", async (path) => {
    const res = await cluster.http.get(path);
    expect(res).toMatchObject({ status: 404, body: { code: 404, type: "NOT_FOUND", data: { id: path.split("/")[2] } } });
  });

  it("GET of an unknown route → 404 in JSON", async () => {
    expect(await cluster.http.get("/customers")).toMatchObject({ status: 404, body: { code: 404, type: "NOT_FOUND" } });
  });
});
