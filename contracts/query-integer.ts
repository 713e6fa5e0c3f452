/** What a fastest-validator custom checker reports; the validator adds the field's name. */
interface CheckerError {
  type: string;
  message: string;
  expected?: number;
  actual: unknown;
}

export interface QueryIntegerBounds {
  min: number;
  max: number;
  default?: number;
}

const DIGITS = /^[0-9]+$/;

/**
 * An optional integer of a query string: decimal digits only, within `[min, max]`, handed on as a number.
 * `convert: true` on a number rule lets through whatever `Number()` accepts ("1e2", "0x10", " 5",
 * "" as 0), and an unbounded page number reached PostgreSQL's OFFSET as a 500. A caller inside the
 * cluster (the REPL) may pass a number, held to the same range. `integer`, `min` and `max` are what
 * the published JSON Schema says of it (services/gateway/json-schema.ts).
 */
export function queryInteger(bounds: QueryIntegerBounds) {
  return { type: "custom", integer: true, optional: true, ...bounds, check: checkQueryInteger } as const;
}

/** fastest-validator's custom checker (`useNewCustomCheckerFunction`, Moleculer's default): the value it returns is the param. */
function checkQueryInteger(value: unknown, errors: CheckerError[], { min, max }: QueryIntegerBounds, field: string): unknown {
  const number = typeof value === "string" && DIGITS.test(value) ? Number(value) : value;
  // Digits too many for a double read as Infinity: well-formed, and out of range.
  if (typeof number !== "number" || !(Number.isInteger(number) || number === Infinity)) {
    errors.push({ type: "integerDigits", message: `The '${field}' field must be an integer written in decimal digits.`, actual: value });
    return value;
  }
  if (number < min)
    errors.push({
      type: "numberMin",
      message: `The '${field}' field must be greater than or equal to ${min}.`,
      expected: min,
      actual: value,
    });
  if (number > max)
    errors.push({ type: "numberMax", message: `The '${field}' field must be less than or equal to ${max}.`, expected: max, actual: value });
  return number;
}
