import { paramsToJsonSchema } from "./json-schema";
import type { Route } from "./routes";

type Schema = Record<string, any>;

const ERROR = { $ref: "#/components/schemas/Error" };
const errorResponse = (description: string) => ({ description, content: { "application/json": { schema: ERROR } } });

/** The OpenAPI 3.1 document of the gateway, built from its routes and their actions' own schemas. */
export function openApiDocument(routes: Route[]): Schema {
  const paths: Record<string, Record<string, Schema>> = {};
  for (const route of routes) {
    const path = route.path.replace(/:(\w+)/g, "{$1}");
    paths[path] = { ...paths[path], [route.method.toLowerCase()]: operation(route) };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Orders & invoices",
      version: "1.0.0",
      description: "Money is integer minor units with an ISO 4217 currency. Errors are `{ name, message, code, type, data }`.",
    },
    paths,
    components: {
      schemas: {
        Error: {
          type: "object",
          required: ["name", "message", "code"],
          properties: {
            name: { type: "string" },
            message: { type: "string" },
            code: { type: "integer" },
            type: { type: "string" },
            data: { description: "for 422: a list of { field, message, type }" },
          },
        },
      },
    },
  };
}

function operation(route: Route): Schema {
  const pathNames = [...route.path.matchAll(/:(\w+)/g)].map((match) => match[1]);
  const schema = route.params ? paramsToJsonSchema(route.params) : { type: "object", properties: {} };
  const properties: Record<string, Schema> = schema.properties as Record<string, Schema>;
  const required = new Set((schema.required as string[] | undefined) ?? []);
  const rest = Object.fromEntries(Object.entries(properties).filter(([name]) => !pathNames.includes(name)));

  const parameters: Schema[] = [
    ...pathNames.map((name) => ({ name, in: "path", required: true, schema: properties[name] })),
    ...(route.method === "GET"
      ? Object.entries(rest).map(([name, propSchema]) => ({ name, in: "query", required: required.has(name), schema: propSchema }))
      : []),
    ...(route.idempotent
      ? [{ name: "Idempotency-Key", in: "header", required: false, schema: { type: "string", minLength: 1, maxLength: 255 } }]
      : []),
  ];
  const body =
    route.method === "POST" && Object.keys(rest).length > 0
      ? {
          requestBody: {
            required: true,
            content: {
              "application/json": {
                schema: { ...schema, properties: rest, required: [...required].filter((name) => name in rest) },
                ...(route.example === undefined ? {} : { example: route.example }),
              },
            },
          },
        }
      : {};
  return {
    operationId: route.action,
    summary: route.summary,
    ...(parameters.length ? { parameters } : {}),
    ...body,
    responses: {
      [route.status]: { description: route.summary, content: { "application/json": { schema: { type: "object" } } } },
      "4XX": errorResponse("Bad input (400, 413, 415, 422), unknown id (404), illegal transition or reused Idempotency-Key (409)"),
      "503": errorResponse("A service or database is unavailable; retry after `Retry-After` seconds"),
    },
  };
}
