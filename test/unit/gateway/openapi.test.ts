import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import Validator from "fastest-validator";
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
    const check = new Validator().compile(createOrderParams);
    const example = document.paths["/orders"].post.requestBody.content["application/json"].example;
    expect(check(structuredClone(example))).toBe(true);
  });

  it("documents path, query and Idempotency-Key parameters", () => {
    const cancel = document.paths["/orders/{id}/cancel"].post;
    expect(cancel.parameters).toEqual([
      { name: "id", in: "path", required: true, schema: { type: "string", format: "uuid" } },
      expect.objectContaining({ name: "Idempotency-Key", in: "header" }),
    ]);
    expect(cancel.requestBody).toBeUndefined();
    const list = document.paths["/orders"].get.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`);
    expect(list).toEqual(["query:customerId", "query:status", "query:createdFrom", "query:createdTo", "query:page", "query:pageSize"]);
  });
});
