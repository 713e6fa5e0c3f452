import { fullFormats } from "ajv-formats/dist/formats";

/**
 * fastest-validator rules for the strings clients send, each carrying the JSON Schema that
 * describes exactly what it accepts (`jsonSchema`, read by the gateway's OpenAPI document):
 * lengths in Unicode code points as JSON Schema counts them, formats as ajv-formats (the JSON
 * Schema validator most tools use) checks them. Nothing is trimmed or rewritten.
 */

type Errors = { type: string; actual?: unknown; expected?: unknown }[];

/**
 * No control characters (PostgreSQL stores no NUL; the others are never meant in a name or a
 * description), no line or paragraph separators (one line), no bidirectional controls (they make
 * text display in another order than it is stored, so what an operator reads is not what is there;
 * the zero-width joiners that scripts such as Persian need stay allowed), no unpaired UTF-16
 * surrogates (they have no UTF-8 encoding), no leading or trailing whitespace (so that "Ada" and
 * "Ada " are not two customers). JSON Schema patterns are Unicode regular expressions, so this one
 * source text serves both the check and the document.
 */
const NOT_TEXT = "\\p{Cc}\\p{Cs}\\p{Zl}\\p{Zp}\\u061C\\u200E\\u200F\\u202A-\\u202E\\u2066-\\u2069";
const UNPRINTABLE = `[${NOT_TEXT}]`;
const PRINTABLE_TEXT = `^(?:[^\\s${NOT_TEXT}](?:[^${NOT_TEXT}]*[^\\s${NOT_TEXT}])?)?$`;
const unprintable = new RegExp(UNPRINTABLE, "u");
const padded = /^\s|\s$/u;

export interface TextOptions {
  /** in code points; 1 unless given */
  min?: number;
  max: number;
  optional?: boolean;
}

/** One line of printable Unicode text, `min`–`max` code points long. */
export function text({ min = 1, max, optional = false }: TextOptions) {
  return {
    type: "string",
    ...(optional ? { optional: true } : {}),
    jsonSchema: { type: "string", minLength: min, maxLength: max, pattern: PRINTABLE_TEXT },
    messages: {
      textUnprintable:
        "The '{field}' field must not contain control characters, line separators, bidirectional controls or unpaired surrogates.",
      textPadded: "The '{field}' field must not start or end with whitespace.",
      stringMin: "The '{field}' field length must be greater than or equal to {expected} characters long.",
      stringMax: "The '{field}' field length must be less than or equal to {expected} characters long.",
    },
    custom(value: unknown, errors: Errors) {
      if (typeof value !== "string") return value;
      if (unprintable.test(value)) errors.push({ type: "textUnprintable" });
      else if (padded.test(value)) errors.push({ type: "textPadded" });
      const length = [...value].length;
      if (length < min) errors.push({ type: "stringMin", expected: min, actual: length });
      if (length > max) errors.push({ type: "stringMax", expected: max, actual: length });
      return value;
    },
  };
}

/** An identifier clients choose (a customer id): ASCII letters, digits and `_ . : @ -`. */
export function identifier({ max, optional = false }: { max: number; optional?: boolean }) {
  const pattern = /^[A-Za-z0-9_.:@-]+$/;
  return {
    type: "string",
    min: 1,
    max,
    pattern,
    ...(optional ? { optional: true } : {}),
    messages: { stringPattern: "The '{field}' field must be ASCII letters, digits and _ . : @ - only." },
    jsonSchema: { type: "string", minLength: 1, maxLength: max, pattern: pattern.source },
  };
}

const isEmail = fullFormats.email as RegExp;
const EMAIL_MAX = 254;

/** An email address as JSON Schema's `email` format reads it (ajv-formats), at most 254 characters. */
export function email() {
  return {
    type: "string",
    jsonSchema: { type: "string", format: "email", maxLength: EMAIL_MAX },
    messages: { email: "The '{field}' field must be a valid e-mail address." },
    custom(value: unknown, errors: Errors) {
      if (typeof value !== "string") return value;
      if (value.length > EMAIL_MAX || !isEmail.test(value)) errors.push({ type: "email", actual: value });
      return value;
    },
  };
}

const isDateTime = (fullFormats["date-time"] as { validate: (value: string) => boolean }).validate;
/**
 * RFC 3339 allows what PostgreSQL's timestamps and JavaScript's Date do not: a leap second
 * (`:60`) and the year 0000. Both are refused, and so is an instant outside years 0001–9999 in UTC.
 */
const STORABLE_DATE_TIME = "^(?!0000)\\d{4}-\\d{2}-\\d{2}[Tt ]\\d{2}:\\d{2}:[0-5]\\d";
const storable = new RegExp(STORABLE_DATE_TIME);
const EARLIEST = Date.parse("0001-01-01T00:00:00Z");
const LATEST = Date.parse("9999-12-31T23:59:59.999Z");

/**
 * An instant as an RFC 3339 date-time with its offset (`2026-11-01T00:00:00Z`), arriving as a
 * query-string value; the action receives it as a Date.
 */
export function instant({ optional = false } = {}) {
  return {
    type: "string",
    ...(optional ? { optional: true } : {}),
    jsonSchema: {
      type: "string",
      format: "date-time",
      pattern: STORABLE_DATE_TIME,
      description: "RFC 3339 date-time with an offset, between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z; no leap second",
    },
    messages: { dateTime: "The '{field}' field must be an RFC 3339 date-time such as 2026-11-01T00:00:00Z." },
    custom(value: unknown, errors: Errors) {
      if (typeof value !== "string") return value;
      const time = isDateTime(value) && storable.test(value) ? Date.parse(value) : NaN;
      if (!(time >= EARLIEST && time <= LATEST)) {
        errors.push({ type: "dateTime", actual: value });
        return value;
      }
      return new Date(time);
    },
  };
}
