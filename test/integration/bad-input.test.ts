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

const cases: Case[] = [
  { name: "malformed JSON", body: '{"customerId": ', status: 400, type: "INVALID_JSON" },
  { name: "a JSON string instead of an object", body: '"order"', status: 400, type: "INVALID_JSON" },
  { name: "an empty object", body: "{}", status: 422, type: "VALIDATION_ERROR", fields: ["customerId", "customer", "currency", "items"] },
  { name: "an array", body: "[]", status: 400, type: "INVALID_JSON" },
  { name: "an empty body", body: "", status: 422, type: "VALIDATION_ERROR", fields: ["customerId", "customer", "currency", "items"] },
  {
    name: "customerId of the wrong type",
    body: JSON.stringify({ ...valid, customerId: 7 }),
    status: 422,
    type: "VALIDATION_ERROR",
    fields: ["customerId"],
  },
  {
    name: "a missing customer",
    body: JSON.stringify({ ...valid, customer: undefined }),
    status: 422,
    type: "VALIDATION_ERROR",
    fields: ["customer"],
  },
  {
    name: "an invalid email",
    body: JSON.stringify({ ...valid, customer: { name: "A", email: "a@" } }),
    status: 422,
    type: "VALIDATION_ERROR",
    fields: ["customer.email"],
  },
  {
    name: "an unknown field",
    body: JSON.stringify({ ...valid, discount: 10 }),
    status: 422,
    type: "VALIDATION_ERROR",
    fields: ["discount"],
  },
  {
    name: "an unknown item field",
    body: JSON.stringify(withItem({ colour: "red" })),
    status: 422,
    type: "VALIDATION_ERROR",
    fields: ["items[0].colour"],
  },
  {
    name: "a client-set total",
    body: JSON.stringify(withItem({ total: 1 })),
    status: 422,
    type: "VALIDATION_ERROR",
    fields: ["items[0].total"],
  },
  {
    name: "a negative price",
    body: JSON.stringify(withItem({ unitPrice: -100 })),
    status: 422,
    type: "VALIDATION_ERROR",
    fields: ["items[0].unitPrice"],
  },
  {
    name: "a fractional price",
    body: JSON.stringify(withItem({ unitPrice: 15.5 })),
    status: 422,
    type: "VALIDATION_ERROR",
    fields: ["items[0].unitPrice"],
  },
  {
    name: "a price as a string",
    body: JSON.stringify(withItem({ unitPrice: "1500" })),
    status: 422,
    type: "VALIDATION_ERROR",
    fields: ["items[0].unitPrice"],
  },
  {
    name: "a fractional quantity",
    body: JSON.stringify(withItem({ quantity: 0.5 })),
    status: 422,
    type: "VALIDATION_ERROR",
    fields: ["items[0].quantity"],
  },
  {
    name: "a zero quantity",
    body: JSON.stringify(withItem({ quantity: 0 })),
    status: 422,
    type: "VALIDATION_ERROR",
    fields: ["items[0].quantity"],
  },
  {
    name: "an absurd quantity",
    body: JSON.stringify(withItem({ quantity: 1e12 })),
    status: 422,
    type: "VALIDATION_ERROR",
    fields: ["items[0].quantity"],
  },
  { name: "empty items", body: JSON.stringify({ ...valid, items: [] }), status: 422, type: "VALIDATION_ERROR", fields: ["items"] },
  {
    name: "too many items",
    body: JSON.stringify({ ...valid, items: Array(101).fill(valid.items[0]) }),
    status: 422,
    type: "VALIDATION_ERROR",
    fields: ["items"],
  },
  {
    name: "an unknown currency",
    body: JSON.stringify({ ...valid, currency: "ABC" }),
    status: 422,
    type: "VALIDATION_ERROR",
    fields: ["currency"],
  },
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
