import fc from "fast-check";
import { type Cluster, startCluster } from "../support/cluster";
import { schemaChecker } from "../support/openapi-check";
import { arbitraryOf } from "../support/schema-arbitrary";

/**
 * Requests generated from GET /openapi.json's own schemas, sent to the real gateway: a valid one is
 * answered 2xx with a body the document describes; one field broken is a 422 naming that field;
 * nothing is ever a 5xx. Seeded: the seed is in the test's name, API_PROPERTIES_SEED replays it.
 */
type Schema = Record<string, any>;

const seed = Number(process.env.API_PROPERTIES_SEED ?? Date.now() % 2 ** 31);
const RUNS = 40;

let cluster: Cluster;
let document: Schema;
let check: ReturnType<typeof schemaChecker>;

beforeAll(async () => {
  cluster = await startCluster();
  document = (await cluster.http.get("/openapi.json")).body;
  check = schemaChecker(document);
});

afterAll(async () => {
  await cluster?.stop();
});

const successSchema = (op: Schema, status: string) => op.responses[status].content["application/json"].schema;

interface Break {
  field: string;
  apply(body: any): any;
}

/** Every way to break one field of a valid body, named as the gateway names fields. */
function breaks(schema: Schema, value: any, field = ""): Break[] {
  const at = (name: string | number) => (typeof name === "number" ? `${field}[${name}]` : field ? `${field}.${name}` : name);
  const set = (replacement: (old: any) => any): Break => ({ field, apply: (root) => replaceAt(root, field, replacement) });
  if (schema.type === "object") {
    const own: Break[] = [
      { field: at("zz"), apply: (root) => replaceAt(root, field, (obj) => ({ ...obj, zz: 1 })) },
      ...(schema.required ?? []).map((name: string) => ({
        field: at(name),
        apply: (root: any) => replaceAt(root, field, ({ [name]: _, ...rest }) => rest),
      })),
    ];
    const inner = Object.entries(schema.properties).flatMap(([name, property]) =>
      name in value ? breaks(property as Schema, value[name], at(name)) : [],
    );
    return field ? [...own, set(() => "not an object"), ...inner] : [...own, ...inner];
  }
  if (schema.type === "array") {
    return [
      set(() => "not an array"),
      ...(schema.minItems ? [set(() => [])] : []),
      ...value.flatMap((item: unknown, i: number) => breaks(schema.items, item, at(i))),
    ];
  }
  if (schema.type === "integer") return [set(() => 1.5), set(() => "1"), set(() => schema.minimum - 1), set(() => schema.maximum + 1)];
  if (schema.enum) return [set(() => "NOPE"), set(() => 7)];
  if (schema.type === "string") {
    return [
      set(() => 7),
      set(() => null),
      set((old) => `${old}\u0000`),
      ...(schema.maxLength ? [set(() => "x".repeat(schema.maxLength + 1))] : []),
      ...(schema.format === "email" ? [set(() => "not-an-address")] : []),
    ];
  }
  return [];
}

function replaceAt(root: any, field: string, replacement: (old: any) => any): any {
  if (!field) return replacement(root);
  const copy = structuredClone(root);
  const keys = field.match(/[^.[\]]+/g)!.map((key) => (/^\d+$/.test(key) ? Number(key) : key));
  let parent = copy;
  for (const key of keys.slice(0, -1)) parent = parent[key];
  const last = keys[keys.length - 1];
  const next = replacement(parent[last]);
  if (next === undefined) delete parent[last];
  else parent[last] = next;
  return copy;
}

describe(`requests generated from GET /openapi.json (seed ${seed}; API_PROPERTIES_SEED replays)`, () => {
  it("a valid POST /orders body is a 201 with an Order the document describes", async () => {
    const op = document.paths["/orders"].post;
    const bodySchema = op.requestBody.content["application/json"].schema;
    const bodies = arbitraryOf(bodySchema, (value) => check(bodySchema, value).length === 0);
    await fc.assert(
      fc.asyncProperty(bodies, async (body) => {
        const res = await cluster.http.post("/orders", body);
        expect({ status: res.status, body: res.body }).toMatchObject({ status: 201 });
        expect(check(successSchema(op, "201"), res.body)).toEqual([]);
      }),
      { seed, numRuns: RUNS },
    );
  });

  it("a POST /orders body with one field broken is a 422 naming that field", async () => {
    const op = document.paths["/orders"].post;
    const bodySchema = op.requestBody.content["application/json"].schema;
    const bodies = arbitraryOf(bodySchema, (value) => check(bodySchema, value).length === 0);
    await fc.assert(
      fc.asyncProperty(bodies, fc.nat(), async (body, pick) => {
        const candidates = breaks(bodySchema, body);
        const broken = candidates[pick % candidates.length];
        const res = await cluster.http.post("/orders", broken.apply(body));
        expect(`${broken.field} → ${res.status}`).toBe(`${broken.field} → 422`);
        expect(check(op.responses["422"].content["application/json"].schema, res.body)).toEqual([]);
        expect(res.body.data.map((e: { field: string }) => e.field)).toContain(broken.field);
      }),
      { seed, numRuns: RUNS * 3 },
    );
  });

  it.each(["/orders", "/invoices"])("GET %s: valid query strings are a 200 page, one broken parameter a 422 naming it", async (path) => {
    const op = document.paths[path].get;
    const query: Schema[] = op.parameters.filter((p: Schema) => p.in === "query");
    // A cursor must name a row that exists (and excludes page): generated values are for the other parameters.
    const CURSORS = ["starting_after", "ending_before"];
    const schema = {
      type: "object",
      properties: Object.fromEntries(query.filter((p) => !CURSORS.includes(p.name)).map((p) => [p.name, p.schema])),
    };
    const queries = arbitraryOf(schema, (value) => check(schema, value).length === 0) as fc.Arbitrary<Record<string, string | number>>;
    const wrong: Record<string, string[]> = {
      integer: ["abc", "1.5", "1e2", "0x10", " 5", ""],
      string: ["\u0000", "a b", "x".repeat(300)],
    };
    await fc.assert(
      fc.asyncProperty(queries, fc.constantFrom(...query), fc.nat(), async (params, param, pick) => {
        const search = new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]));
        const ok = await cluster.http.get(`${path}?${search}`);
        expect(`${search} → ${ok.status}`).toBe(`${search} → 200`);
        expect(check(successSchema(op, "200"), ok.body)).toEqual([]);

        const p = param.schema;
        const values = [
          ...(p.enum ? ["NOPE"] : []),
          ...(p.type === "integer"
            ? [...wrong.integer, String(p.minimum - 1), ...(p.maximum === undefined ? [] : [String(p.maximum + 1)])]
            : []),
          ...(p.type === "string" && !p.enum ? wrong.string : []),
          ...(p.format === "uuid" ? ["nope"] : []),
          ...(p.format === "date-time" ? ["yesterday", "2026-02-30T00:00:00Z", "1"] : []),
        ].filter((v) => check(p, p.type === "integer" && /^-?\d+$/.test(v) ? Number(v) : v).length > 0);
        const value = values[pick % values.length];
        search.set(param.name, value);
        const bad = await cluster.http.get(`${path}?${search}`);
        expect(`${search} → ${bad.status}`).toBe(`${search} → 422`);
        expect(bad.body.data.map((e: { field: string }) => e.field)).toContain(param.name);
      }),
      { seed, numRuns: RUNS },
    );
  });
});
