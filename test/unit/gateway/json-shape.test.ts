import { jsonShapeFailures, MAX_JSON_DEPTH } from "../../../services/gateway/json-shape";

/** `{ a: [[…[1]…]] }`: an object, then arrays, `levels` containers in all. */
const nested = (levels: number) => {
  let value: unknown = 1;
  for (let i = 1; i < levels; i++) value = [value];
  return { a: value };
};

describe("jsonShapeFailures", () => {
  it("accepts an order, and anything nested up to MAX_JSON_DEPTH levels", () => {
    expect(jsonShapeFailures({ customerId: "c", items: [{ sku: "X", quantity: 1 }] })).toEqual([]);
    expect(jsonShapeFailures(nested(MAX_JSON_DEPTH))).toEqual([]);
  });

  it("refuses one level more, naming the path of the first container too deep", () => {
    expect(jsonShapeFailures(nested(MAX_JSON_DEPTH + 1))).toEqual([
      { field: `a${"[0]".repeat(MAX_JSON_DEPTH - 1)}`, message: expect.any(String), type: "tooDeep" },
    ]);
  });

  it("walks 100,000 levels without overflowing the stack", () => {
    expect(jsonShapeFailures(nested(100_000))).toHaveLength(1);
  });

  it("refuses __proto__, constructor and prototype keys anywhere, each named by its path, in the order of the body", () => {
    const body = JSON.parse('{"__proto__":{},"items":[{"sku":"X"},{"constructor":1}],"customer":{"prototype":0}}');
    expect(jsonShapeFailures(body).map(({ field, type }) => [field, type])).toEqual([
      ["__proto__", "forbiddenKey"],
      ["items[1].constructor", "forbiddenKey"],
      ["customer.prototype", "forbiddenKey"],
    ]);
  });

  it("refuses null for any field, naming it", () => {
    expect(jsonShapeFailures({ items: [{ description: null }] })).toEqual([
      expect.objectContaining({ field: "items[0].description", type: "nullValue" }),
    ]);
  });

  it("takes those words as values, and other keys of Object.prototype as keys", () => {
    expect(jsonShapeFailures({ name: "constructor", toString: "x", hasOwnProperty: 1 })).toEqual([]);
  });

  it("lists at most 20 failures", () => {
    const body = { items: Array.from({ length: 50 }, () => JSON.parse('{"__proto__":1}')) };
    expect(jsonShapeFailures(body)).toHaveLength(20);
  });
});
