import Validator from "fastest-validator";
import { createOrderParams } from "../../../contracts/orders";

const check = new Validator().compile(createOrderParams);

const valid = () => ({
  customerId: "cust-1",
  customer: { name: "Ada Lovelace", email: "ada@example.com" },
  currency: "EUR",
  items: [{ sku: "BOOK-1", description: "Notes", quantity: 2, unitPrice: 1500 }],
});

type Failure = { field?: string; type: string; actual?: unknown };
const failures = (body: unknown) => {
  const result = check(body);
  return result === true ? [] : (result as Failure[]).map(({ field, type, actual }) => ({ field, type, actual }));
};

describe("createOrderParams", () => {
  it("accepts a well-formed order, with or without descriptions", () => {
    expect(check(valid())).toBe(true);
    const withoutDescription = valid();
    delete (withoutDescription.items[0] as { description?: string }).description;
    expect(check(withoutDescription)).toBe(true);
  });

  it.each<[string, (body: ReturnType<typeof valid>) => unknown, string | undefined, string]>([
    ["missing customerId", ({ customerId: _, ...rest }) => rest, "customerId", "required"],
    ["customerId not a string", (b) => ({ ...b, customerId: 42 }), "customerId", "string"],
    ["bad email", (b) => ({ ...b, customer: { ...b.customer, email: "nope" } }), "customer.email", "email"],
    ["blank name", (b) => ({ ...b, customer: { ...b.customer, name: "   " } }), "customer.name", "stringMin"],
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
