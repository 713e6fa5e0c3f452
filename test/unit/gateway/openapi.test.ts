import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Validators } from "moleculer";
import { createOrderParams } from "../../../contracts/orders";
import ApiServiceSchema from "../../../services/api.service";
import { openApiDocument } from "../../../services/gateway/openapi";
import { ROUTES } from "../../../services/gateway/routes";

const document = openApiDocument(ROUTES);

describe("GET /openapi.json", () => {
  it("is a valid OpenAPI 3.1 document (checked by @seriousme/openapi-schema-validator)", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "openapi-")), "openapi.json");
    writeFileSync(file, JSON.stringify(document));
    const cli = join(__dirname, "../../../node_modules/@seriousme/openapi-schema-validator/bin/validate-api-cli.js");
    // The validator is ESM-only; its CLI runs it outside jest's CommonJS sandbox. A failure exits non-zero.
    const { stdout } = await promisify(execFile)(process.execPath, [cli, file]).catch((err) => err);
    expect(JSON.parse(stdout)).toEqual({ valid: true });
  });

  it("documents every alias of the gateway, with its method (HEAD as its GET)", () => {
    const aliases = ApiServiceSchema.settings!.routes!.flatMap((route) => Object.keys(route.aliases ?? {}));
    expect(aliases.filter((alias) => !alias.startsWith("HEAD ")).length).toBe(ROUTES.length);
    for (const alias of aliases) {
      const [method, path] = alias.split(" ");
      expect(document.paths[path.replace(/:(\w+)/g, "{$1}")]).toHaveProperty(method === "HEAD" ? "get" : method.toLowerCase());
    }
  });

  it("publishes the action's own schema: the body of POST /orders", () => {
    const body = document.paths["/orders"].post.requestBody.content["application/json"];
    expect(body.schema).toMatchObject({
      type: "object",
      additionalProperties: false,
      required: ["customerId", "customer", "currency", "items"],
      properties: {
        items: {
          type: "array",
          minItems: 1,
          maxItems: 100,
          items: { properties: { quantity: { type: "integer", minimum: 1, maximum: 10_000 } }, required: ["sku", "quantity", "unitPrice"] },
        },
        customer: { properties: { email: { type: "string", format: "email" } } },
      },
    });
    expect(body.schema.properties.currency.enum).toContain("EUR");
  });

  it("gives examples that the actions accept", () => {
    const check = new Validators.Fastest().compile(createOrderParams);
    const example = document.paths["/orders"].post.requestBody.content["application/json"].example;
    expect(check(structuredClone(example))).toBe(true);
  });

  it("documents path, query and Idempotency-Key parameters", () => {
    const cancel = document.paths["/orders/{id}/cancel"].post;
    expect(cancel.parameters).toEqual([
      { name: "id", in: "path", required: true, schema: { type: "string", format: "uuid" } },
      expect.objectContaining({ name: "Idempotency-Key", in: "header", required: false }),
      expect.objectContaining({ name: "X-Request-ID", in: "header", required: false }),
    ]);
    expect(cancel.requestBody).toMatchObject({
      required: false,
      content: { "application/json": { schema: { additionalProperties: false } } },
    });
    const list = document.paths["/orders"].get.parameters.map(
      (p: { name: string; in: string; required: boolean }) => `${p.in}:${p.name}:${p.required}`,
    );
    expect(list).toEqual(
      expect.arrayContaining([
        "query:customerId:false",
        "query:status:false",
        "query:createdFrom:false",
        "query:page:false",
        "query:pageSize:false",
        "query:starting_after:false",
        "query:ending_before:false",
      ]),
    );
  });

  it("says which errors each route answers, with their types, and the headers that come with them", () => {
    const cancel = document.paths["/orders/{id}/cancel"].post.responses;
    expect(Object.keys(cancel).sort()).toEqual(["200", "400", "404", "408", "409", "413", "415", "422", "429", "431", "500", "503"]);
    expect(cancel["409"].content["application/json"].schema.allOf[1].properties.type.enum).toEqual([
      "ILLEGAL_TRANSITION",
      "IDEMPOTENCY_KEY_REUSED",
    ]);
    expect(cancel["503"].headers["Retry-After"]).toMatchObject({ required: true });
    expect(document.paths["/orders"].post.responses["201"].headers.Location).toMatchObject({ required: true });
    expect(document.paths["/orders"].post.responses["409"].content["application/json"].schema.allOf[1].properties.type.enum).toEqual([
      "IDEMPOTENCY_KEY_REUSED",
    ]);
    expect(Object.keys(document.paths["/health"].get.responses)).not.toContain("503");
    expect(document.paths["/orders"].delete.responses["405"].headers.Allow).toMatchObject({ required: true });
    expect(document.paths["/orders"].delete.summary).toContain("GET, HEAD, OPTIONS, POST"); // as the 405's Allow lists them
    expect(document.paths["/orders/{id}"].head.responses["200"].content).toBeUndefined();
  });
});
