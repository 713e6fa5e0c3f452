/**
 * JSON Schema (2020-12, as OpenAPI 3.1 uses it) from the fastest-validator rules the actions
 * validate with, so the published API and the enforced one are one schema. Covers the rule types
 * this project uses; another type is an error, not a silent `{}`.
 */
// biome-ignore lint/suspicious/noExplicitAny: fastest-validator's rules are untyped objects of many shapes.
type Rule = string | Record<string, any>;
type JsonSchema = Record<string, unknown>;

export function toJsonSchema(rule: Rule): JsonSchema {
  const r = typeof rule === "string" ? { type: rule } : rule;
  const common: JsonSchema = r.default === undefined ? {} : { default: r.default };
  // contracts/field-rules.ts: a rule that checks more than its type says what it accepts.
  if (r.jsonSchema) return { ...r.jsonSchema, ...common };
  switch (r.type) {
    case "string":
      return { type: "string", ...bounds(r, "Length"), ...(r.pattern ? { pattern: r.pattern.source ?? r.pattern } : {}), ...common };
    case "uuid":
      return { type: "string", format: "uuid", ...common };
    case "number":
      return { type: r.integer ? "integer" : "number", ...bounds(r, "imum"), ...common };
    case "enum":
      return { type: "string", enum: [...r.values], ...common };
    case "array":
      return { type: "array", items: toJsonSchema(r.items), ...bounds(r, "Items"), ...common };
    case "object":
      return objectSchema(r.props, Boolean(r.strict));
    case "custom":
      // A custom checker is published only by what it declares: an integer and its bounds (contracts/query-integer.ts).
      if (r.integer) return { type: "integer", ...bounds(r, "imum"), ...common };
  }
  throw new Error(`No JSON Schema for the fastest-validator type '${r.type}'`);
}

/** A root params schema (`$$strict` and props side by side), as the actions declare them. */
export function paramsToJsonSchema(params: Record<string, unknown>): JsonSchema {
  const { $$strict, ...props } = params;
  return objectSchema(props as Record<string, Rule>, Boolean($$strict));
}

function objectSchema(props: Record<string, Rule>, strict: boolean): JsonSchema {
  const entries = Object.entries(props);
  // A field with a default is one the client may leave out.
  const required = entries
    .filter(([, rule]) => typeof rule === "string" || !(rule.optional || rule.default !== undefined))
    .map(([name]) => name);
  return {
    type: "object",
    properties: Object.fromEntries(entries.map(([name, rule]) => [name, toJsonSchema(rule)])),
    ...(required.length ? { required } : {}),
    ...(strict ? { additionalProperties: false } : {}),
  };
}

/** fastest-validator's min/max as minLength/maxLength, minimum/maximum or minItems/maxItems. */
function bounds(r: Exclude<Rule, string>, kind: "Length" | "imum" | "Items"): JsonSchema {
  const [min, max] = kind === "imum" ? ["minimum", "maximum"] : [`min${kind}`, `max${kind}`];
  return { ...(r.min === undefined ? {} : { [min]: r.min }), ...(r.max === undefined ? {} : { [max]: r.max }) };
}
