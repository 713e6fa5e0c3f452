import Ajv2020 from "ajv/dist/2020";
import addFormats from "ajv-formats";
import fc from "fast-check";
import { Validators } from "moleculer";
import { email, identifier, instant, text } from "../../../contracts/field-rules";

/**
 * Each rule states the JSON Schema of what it accepts; ajv, a validator of the field, judges that
 * schema. Where the two disagree, the published document would lie.
 */
const ajv = addFormats(new Ajv2020({ strict: true }));
const fastest = new Validators.Fastest();

function verdicts(rule: { jsonSchema: object }) {
  const ours = fastest.compile({ $$strict: true, field: rule });
  const theirs = ajv.compile({ type: "object", properties: { field: rule.jsonSchema }, required: ["field"] });
  return (value: unknown) => ({ ours: ours({ field: value }) === true, theirs: theirs({ field: value }) });
}

const seed = Number(process.env.FIELD_RULES_SEED ?? Date.now() % 2 ** 31);

/** Strings built from the characters that matter: controls, surrogates, separators, bidi controls, joiners, whitespace, astral, ASCII. */
const tricky = fc.string({
  unit: fc.oneof(
    fc.constantFrom(
      "\u0000",
      "\u0007",
      "\n",
      "\t",
      "\u007f",
      "\u0085",
      "\ud800",
      "\udfff",
      " ",
      "\u00a0",
      "\u2028",
      "\u2029",
      "\ufeff",
      "\u202e",
      "\u2067",
      "\u200f",
      "\u200c",
      "\u200d",
      "\u00ad",
    ),
    fc.constantFrom("a", "Z", "0", "é", "📦", "𝔄", "@", ".", "-", "_", ":"),
    fc.string({ unit: "grapheme", minLength: 1, maxLength: 1 }),
  ),
  maxLength: 70,
});

describe(`field rules agree with ajv on their own JSON Schema (seed ${seed}, FIELD_RULES_SEED to replay)`, () => {
  it.each([
    ["text 1–64", text({ max: 64 })],
    ["text 0–500", text({ min: 0, max: 500 })],
    ["identifier", identifier({ max: 64 })],
  ])("%s", (_name, rule) => {
    const judge = verdicts(rule);
    fc.assert(
      fc.property(tricky, (value) => {
        const { ours, theirs } = judge(value);
        expect({ value, ours }).toEqual({ value, ours: theirs });
      }),
      { seed, numRuns: 2_000 },
    );
  });

  it("email", () => {
    const judge = verdicts(email());
    const addresses = fc.oneof(
      fc.emailAddress(),
      tricky.map((s) => `${s}@example.com`),
      fc.tuple(tricky, tricky).map(([a, b]) => `${a}@${b}`),
    );
    fc.assert(
      fc.property(addresses, (value) => {
        const { ours, theirs } = judge(value);
        expect({ value, ours }).toEqual({ value, ours: theirs });
      }),
      { seed, numRuns: 2_000 },
    );
  });

  it("instant: what it accepts is a date-time ajv accepts, and becomes the same instant", () => {
    const judge = verdicts(instant());
    const check = fastest.compile({ $$strict: true, field: instant() });
    const valid = fc.date({ min: new Date("0001-01-01T00:00:00Z"), max: new Date("9999-12-31T23:59:59.999Z"), noInvalidDate: true });
    fc.assert(
      fc.property(valid, (date) => {
        const params = { field: date.toISOString() };
        expect(judge(params.field)).toEqual({ ours: true, theirs: true });
        expect(check(params)).toBe(true);
        expect((params.field as unknown as Date).getTime()).toBe(date.getTime());
      }),
      { seed, numRuns: 500 },
    );
  });
});

describe("instant refuses what PostgreSQL and Date cannot hold", () => {
  const check = fastest.compile({ $$strict: true, field: instant() });
  it.each([
    "2026-02-30T00:00:00Z",
    "2026-01-01T23:59:60Z",
    "0000-01-01T00:00:00Z",
    "0001-01-01T00:00:00+00:01",
    "+275760-09-13T00:00:00Z",
    "2026-01-01",
    "2026-01-01T00:00:00",
    "1",
    "1700000000000",
    "",
  ])("%s", (value) => {
    expect(check({ field: value })).toEqual([expect.objectContaining({ field: "field", type: "dateTime" })]);
  });

  it("accepts both ends of its range and an offset", () => {
    for (const value of ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999Z", "2026-11-01T00:00:00+14:00", "2026-11-01 00:00:00z"]) {
      expect(check({ field: value })).toBe(true);
    }
  });
});
