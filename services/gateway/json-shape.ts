import type { FieldError } from "./http-errors";
import { FIELD_REFUSALS } from "./refusals";

/**
 * How deep a request body may nest objects and arrays. The deepest legal body is 3 (an order's
 * `items[0]`); a body nested thousands deep overflows the stack of whoever serializes it next
 * (the gateway's call to a service), so it is refused before anything is called.
 */
export const MAX_JSON_DEPTH = 8;

/**
 * Keys that mean something to JavaScript objects rather than to us: `Object.assign` with an own
 * `__proto__` key sets the target's prototype, and merging code downstream may follow the others.
 */
const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);

/** The most failures one refusal lists: a body of thousands of offending keys gets a short answer. */
const MAX_FAILURES = 20;

/**
 * What is wrong with the shape of a parsed JSON body: values nested deeper than `MAX_JSON_DEPTH`
 * (named by the path of the first container too deep on each branch) and forbidden keys, each named
 * by its full path (`items[0].__proto__`). Walked with a stack of its own, not recursion, so that
 * no nesting can overflow it.
 */
export function jsonShapeFailures(body: unknown): FieldError[] {
  const failures: FieldError[] = [];
  const stack: { value: unknown; path: string; depth: number }[] = [{ value: body, path: "", depth: 0 }];
  while (stack.length > 0 && failures.length < MAX_FAILURES) {
    const { value, path, depth } = stack.pop()!;
    // No field of any request takes null: a field is given or left out, never both at once.
    if (value === null && path) {
      failures.push({
        field: path,
        message: `The '${path}' field must not be null; leave it out instead.`,
        type: FIELD_REFUSALS.nullValue,
      });
      continue;
    }
    if (value === null || typeof value !== "object") continue;
    if (depth === MAX_JSON_DEPTH) {
      failures.push({
        field: path,
        message: `The '${path}' field nests deeper than ${MAX_JSON_DEPTH} levels.`,
        type: FIELD_REFUSALS.tooDeep,
      });
      continue;
    }
    if (Array.isArray(value)) {
      // Pushed in reverse, so that failures come in the order of the body.
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], path: `${path}[${i}]`, depth: depth + 1 });
      continue;
    }
    const keys = Object.keys(value);
    const fieldOf = (key: string) => (path ? `${path}.${key}` : key);
    for (const key of keys.filter((k) => FORBIDDEN_KEYS.has(k))) {
      const field = fieldOf(key);
      failures.push({ field, message: `The '${field}' field is not allowed.`, type: FIELD_REFUSALS.forbiddenKey });
    }
    for (let i = keys.length - 1; i >= 0; i--) {
      stack.push({ value: (value as Record<string, unknown>)[keys[i]], path: fieldOf(keys[i]), depth: depth + 1 });
    }
  }
  return failures.slice(0, MAX_FAILURES);
}
