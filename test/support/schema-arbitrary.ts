import fc from "fast-check";

type Schema = Record<string, any>;

/** Keeps generated requests small: a valid request must not be refused for its size (413). */
const MAX_GENERATED_ITEMS = 3;

/**
 * Values valid against a JSON Schema, for the keywords the gateway's document uses (object, array,
 * string with lengths, pattern and format, integer, enum, const). `isValid` is the final word on
 * validity (ajv over the same schema), so a generator that overshoots only costs a retry.
 */
export function arbitraryOf(schema: Schema, isValid: (value: unknown) => boolean): fc.Arbitrary<unknown> {
  return raw(schema).filter(isValid);
}

function raw(schema: Schema): fc.Arbitrary<unknown> {
  if ("const" in schema) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  switch (schema.type) {
    case "object": {
      const required = new Set<string>(schema.required ?? []);
      const entries = Object.entries(schema.properties ?? {}) as [string, Schema][];
      return fc.record(Object.fromEntries(entries.map(([name, property]) => [name, raw(property)])), {
        requiredKeys: entries.map(([name]) => name).filter((name) => required.has(name)),
      });
    }
    case "array":
      return fc.array(raw(schema.items), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.min(schema.maxItems ?? MAX_GENERATED_ITEMS, MAX_GENERATED_ITEMS),
      });
    case "integer":
      return fc.oneof(
        fc.integer({ min: schema.minimum, max: schema.maximum }),
        fc.constantFrom(...[schema.minimum, schema.maximum].filter((n) => n !== undefined)),
      );
    case "string":
      return string(schema);
    default:
      throw new Error(`No generator for ${JSON.stringify(schema)}`);
  }
}

function string(schema: Schema): fc.Arbitrary<string> {
  const minLength = schema.minLength ?? 0;
  const maxLength = Math.min(schema.maxLength ?? 40, 80);
  switch (schema.format) {
    case "uuid":
      return fc.uuid();
    case "email":
      return fc.emailAddress();
    case "date-time":
      return fc
        .date({ min: new Date("0001-01-01T00:00:00Z"), max: new Date("9999-12-31T23:59:59.999Z"), noInvalidDate: true })
        .map((d) => d.toISOString());
  }
  // fast-check cannot build strings from Unicode property classes; generate wide and let `isValid` keep the valid ones.
  if (schema.pattern && !schema.pattern.includes("\\p"))
    return fc.stringMatching(new RegExp(schema.pattern)).filter((s) => s.length >= minLength && s.length <= maxLength);
  const unit = fc.oneof(
    { weight: 4, arbitrary: fc.string({ unit: "grapheme", minLength: 1, maxLength: 1 }) },
    { weight: 1, arbitrary: fc.constantFrom("\u0000", " ", "\ud800", "é", "📦") },
  );
  return fc.oneof(fc.string({ unit, minLength, maxLength }), fc.string({ unit: "grapheme-ascii", minLength: maxLength, maxLength }));
}
