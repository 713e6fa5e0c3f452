import { type Cluster, startCluster } from "../support/cluster";
import { queryDatabase } from "../support/postgres";

/**
 * Text and dates a client may send, through the real gateway down to PostgreSQL: what the
 * database cannot store is refused as a 422 naming the field, never a 500, and what is accepted is
 * stored exactly as sent.
 */
let cluster: Cluster;

beforeAll(async () => {
  cluster = await startCluster();
});

afterAll(async () => {
  await cluster?.stop();
});

const order = (changes: { customerId?: string; name?: string; email?: string; sku?: string; description?: string }) => ({
  customerId: changes.customerId ?? "cust-text",
  customer: { name: changes.name ?? "Ada", email: changes.email ?? "ada@example.com" },
  currency: "EUR",
  items: [
    {
      sku: changes.sku ?? "SKU-1",
      ...(changes.description === undefined ? {} : { description: changes.description }),
      quantity: 1,
      unitPrice: 100,
    },
  ],
});

describe("text PostgreSQL cannot store, or that would be stored changed", () => {
  it.each([
    ["a NUL in the name", { name: "Ada\u0000Lovelace" }, "customer.name", "textUnprintable"],
    ["a NUL in the sku", { sku: "\u0000" }, "items[0].sku", "textUnprintable"],
    ["an unpaired high surrogate in the description", { description: "broken \ud83d" }, "items[0].description", "textUnprintable"],
    ["an unpaired low surrogate in the name", { name: "\udc00Ada" }, "customer.name", "textUnprintable"],
    ["an escape character in the sku", { sku: "A\u001b[31m" }, "items[0].sku", "textUnprintable"],
    ["a C1 control in the description", { description: "a\u0085b" }, "items[0].description", "textUnprintable"],
    ["a leading space in the name", { name: " Ada" }, "customer.name", "textPadded"],
    ["a trailing no-break space in the sku", { sku: "SKU\u00a0" }, "items[0].sku", "textPadded"],
    ["a name of spaces only", { name: "   " }, "customer.name", "textPadded"],
    ["201 code points of name", { name: "𝔄".repeat(201) }, "customer.name", "stringMax"],
    ["a NUL in the customerId", { customerId: "c\u0000" }, "customerId", "stringPattern"],
    ["an address that is not one", { email: "a@b@example.com" }, "customer.email", "email"],
    ["an address with a NUL", { email: "ada\u0000@example.com" }, "customer.email", "email"],
  ])("%s → 422 naming %s", async (_name, changes, field, type) => {
    const res = await cluster.http.post("/orders", order(changes));
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 422, type: "VALIDATION_ERROR" });
    expect(res.body.data).toContainEqual(expect.objectContaining({ field, type }));
  });

  it("stored nothing for any of them", async () => {
    expect(await queryDatabase(cluster.databases.orders, "SELECT id FROM orders")).toEqual([]);
  });

  it("stores accepted text exactly as sent, at its maxima in code points", async () => {
    const sent = order({
      name: "𝔄".repeat(200),
      sku: "📦".repeat(64),
      description: "Ünïcödé\u00a0text — 中文 ✓ e\u0301",
      email: "o'brien+tag@sub.example.co.uk",
    });
    const res = await cluster.http.post("/orders", sent);
    expect(res.status).toBe(201);
    expect(res.body.customer).toEqual(sent.customer);
    expect(res.body.items[0]).toMatchObject(sent.items[0]);
    const [stored] = await queryDatabase<{ customer: unknown; items: { sku: string; description: string }[] }>(
      cluster.databases.orders,
      "SELECT customer, items FROM orders WHERE id = $1",
      [res.body.id],
    );
    expect(stored.customer).toEqual(sent.customer);
    expect(stored.items[0]).toMatchObject(sent.items[0]);
    expect((await cluster.http.get(`/orders/${res.body.id}`)).body.customer).toEqual(sent.customer);
  });
});

describe("query strings PostgreSQL cannot compare with", () => {
  it.each([
    ["/orders?customerId=%00", "customerId"],
    ["/orders?customerId=%ED%A0%80", "customerId"],
    ["/invoices?customerId=c%20d", "customerId"],
    ["/orders?createdFrom=%2B275760-09-13T00%3A00%3A00Z", "createdFrom"],
    ["/orders?createdFrom=0000-01-01T00%3A00%3A00Z", "createdFrom"],
    ["/orders?createdTo=2026-02-30T00%3A00%3A00Z", "createdTo"],
    ["/orders?createdTo=2026-12-31T23%3A59%3A60Z", "createdTo"],
    ["/orders?createdFrom=1", "createdFrom"],
    ["/orders?createdFrom=2026-11-01", "createdFrom"],
    ["/orders?createdFrom=yesterday", "createdFrom"],
  ])("GET %s → 422 naming %s", async (path, field) => {
    const res = await cluster.http.get(path);
    expect(res.status).toBe(422);
    expect(res.body.data).toContainEqual(expect.objectContaining({ field }));
  });

  it("accepts the extremes of the documented range", async () => {
    const res = await cluster.http.get("/orders?createdFrom=0001-01-01T00%3A00%3A00Z&createdTo=9999-12-31T23%3A59%3A59.999%2B14%3A00");
    expect(res.status).toBe(200);
    expect(res.body.rows).toHaveLength(1);
  });
});
