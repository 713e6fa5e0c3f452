import { Validators } from "moleculer";
import { createOrderParams } from "../../../contracts/orders";

const check = new Validators.Fastest().compile(createOrderParams);

const valid = () => ({
  customerId: "cust-1",
  customer: { name: "Ada Lovelace", email: "ada@example.com" },
  currency: "EUR",
  items: [{ sku: "BOOK-1", description: "Notes", quantity: 2, unitPrice: 1500 }],
});

type Failure = { field?: string; type: string; actual?: unknown };
const failures = (body: unknown) => {
  const result: unknown = check(body as Record<string, unknown>);
  return result === true ? [] : (result as Failure[]).map(({ field, type, actual }) => ({ field, type, actual }));
};

describe("createOrderParams", () => {
  it("accepts a well-formed order, with or without descriptions", () => {
    expect(check(valid())).toBe(true);
    const withoutDescription = valid();
    delete (withoutDescription.items[0] as { description?: string }).description;
    expect(check(withoutDescription)).toBe(true);
  });

  it("counts lengths in code points, as the published JSON Schema does, and stores text as sent", () => {
    const body = valid();
    body.items[0].sku = "📦".repeat(64);
    body.customer.name = "Ada\u00a0Lovelace ✓ 𝔄";
    expect(check(body)).toBe(true);
    expect(body.customer.name).toBe("Ada\u00a0Lovelace ✓ 𝔄");
  });

  it.each<[string, (body: ReturnType<typeof valid>) => unknown, string | undefined, string]>([
    ["missing customerId", ({ customerId: _, ...rest }) => rest, "customerId", "required"],
    ["customerId not a string", (b) => ({ ...b, customerId: 42 }), "customerId", "string"],
    ["bad email", (b) => ({ ...b, customer: { ...b.customer, email: "nope" } }), "customer.email", "email"],
    ["blank name", (b) => ({ ...b, customer: { ...b.customer, name: "   " } }), "customer.name", "textPadded"],
    ["empty name", (b) => ({ ...b, customer: { ...b.customer, name: "" } }), "customer.name", "stringMin"],
    ["a NUL in a name", (b) => ({ ...b, customer: { ...b.customer, name: "Ada\u0000" } }), "customer.name", "textUnprintable"],
    ["an unpaired surrogate in a sku", (b) => ({ ...b, items: [{ ...b.items[0], sku: "A\ud800" }] }), "items[0].sku", "textUnprintable"],
    [
      "a newline in a description",
      (b) => ({ ...b, items: [{ ...b.items[0], description: "a\nb" }] }),
      "items[0].description",
      "textUnprintable",
    ],
    ["a trailing space in a sku", (b) => ({ ...b, items: [{ ...b.items[0], sku: "BOOK " }] }), "items[0].sku", "textPadded"],
    ["65 code points of sku", (b) => ({ ...b, items: [{ ...b.items[0], sku: "é".repeat(65) }] }), "items[0].sku", "stringMax"],
    ["an address without a domain", (b) => ({ ...b, customer: { ...b.customer, email: "ada@" } }), "customer.email", "email"],
    ["two @ in an address", (b) => ({ ...b, customer: { ...b.customer, email: "a@b@example.com" } }), "customer.email", "email"],
    ["a space in an address", (b) => ({ ...b, customer: { ...b.customer, email: "ada lovelace@example.com" } }), "customer.email", "email"],
    ["a customerId with a space", (b) => ({ ...b, customerId: "cust 1" }), "customerId", "stringPattern"],
    ["unknown currency", (b) => ({ ...b, currency: "XXQ" }), "currency", "enumValue"],
    ["lower-case currency", (b) => ({ ...b, currency: "eur" }), "currency", "enumValue"],
    ["empty items", (b) => ({ ...b, items: [] }), "items", "arrayMin"],
    ["items not an array", (b) => ({ ...b, items: {} }), "items", "array"],
    ["101 items", (b) => ({ ...b, items: Array(101).fill(b.items[0]) }), "items", "arrayMax"],
    ["fractional quantity", (b) => ({ ...b, items: [{ ...b.items[0], quantity: 1.5 }] }), "items[0].quantity", "numberInteger"],
    ["zero quantity", (b) => ({ ...b, items: [{ ...b.items[0], quantity: 0 }] }), "items[0].quantity", "numberMin"],
    ["huge quantity", (b) => ({ ...b, items: [{ ...b.items[0], quantity: 10_001 }] }), "items[0].quantity", "numberMax"],
    ["negative price", (b) => ({ ...b, items: [{ ...b.items[0], unitPrice: -1 }] }), "items[0].unitPrice", "numberMin"],
    ["fractional price", (b) => ({ ...b, items: [{ ...b.items[0], unitPrice: 9.99 }] }), "items[0].unitPrice", "numberInteger"],
    ["price as a string", (b) => ({ ...b, items: [{ ...b.items[0], unitPrice: "10" }] }), "items[0].unitPrice", "number"],
    ["unknown field", (b) => ({ ...b, discount: 5 }), undefined, "objectStrict"],
    ["unknown item field", (b) => ({ ...b, items: [{ ...b.items[0], colour: "red" }] }), "items[0]", "objectStrict"],
  ])("rejects %s", (_name, mutate, field, type) => {
    expect(failures(mutate(valid()))).toContainEqual(expect.objectContaining({ field, type }));
  });
});
