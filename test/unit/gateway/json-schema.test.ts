import { queryInteger } from "../../../contracts/query-integer";
import { paramsToJsonSchema, toJsonSchema } from "../../../services/gateway/json-schema";

describe("toJsonSchema", () => {
  it.each<[string | Record<string, unknown>, object]>([
    [
      { type: "string", min: 1, max: 64, pattern: /^[a-z]+$/ },
      { type: "string", minLength: 1, maxLength: 64, pattern: "^[a-z]+$" },
    ],
    [
      { type: "number", integer: true, min: 1, default: 1, convert: true },
      { type: "integer", minimum: 1, default: 1 },
    ],
    [
      { type: "number", max: 2.5 },
      { type: "number", maximum: 2.5 },
    ],
    [
      { type: "enum", values: ["a", "b"] },
      { type: "string", enum: ["a", "b"] },
    ],
    ["uuid", { type: "string", format: "uuid" }],
    [queryInteger({ min: 1, max: 100, default: 20 }), { type: "integer", minimum: 1, maximum: 100, default: 20 }],
  ])("%o → %o", (rule, schema) => {
    expect(toJsonSchema(rule)).toEqual(schema);
  });

  it("maps objects and arrays, strictness and optional props", () => {
    expect(
      paramsToJsonSchema({
        $$strict: true,
        tags: { type: "array", min: 1, items: "string" },
        note: { type: "string", optional: true },
      }),
    ).toEqual({
      type: "object",
      properties: { tags: { type: "array", minItems: 1, items: { type: "string" } }, note: { type: "string" } },
      required: ["tags"],
      additionalProperties: false,
    });
  });

  it("refuses a rule type it cannot express rather than publishing {}", () => {
    expect(() => toJsonSchema({ type: "custom" })).toThrow(/custom/);
    // A rule of contracts/field-rules.ts carries its own JSON Schema; a bare email or date rule does not.
    expect(() => toJsonSchema({ type: "email" })).toThrow(/email/);
  });
});
