import { ERRORS, type ErrorType, errorsOf } from "./error-catalogue";
import { IDEMPOTENCY_KEY } from "./idempotency-key";
import { paramsToJsonSchema } from "./json-schema";
import { components } from "./openapi-components";
import { methodsOf, type Route } from "./routes";

// biome-ignore lint/suspicious/noExplicitAny: the document is built as plain JSON, read back by key.
type Schema = Record<string, any>;

const METHODS = ["get", "put", "post", "delete", "patch"] as const;
const header = (name: string, required = false) => ({
  [name]: { $ref: `#/components/headers/${name}`, ...(required ? { required: true } : {}) },
});
const REQUEST_ID = {
  name: "X-Request-ID",
  in: "header",
  required: false,
  schema: { type: "string" },
  description: "echoed in the response and in every node's logs; when absent or empty, the gateway makes one",
};

/** The OpenAPI 3.1 document of the gateway, built from its routes and their actions' own schemas. */
export function openApiDocument(routes: Route[]): Schema {
  const paths: Record<string, Record<string, Schema>> = {};
  const allowed = new Map<string, string[]>();
  for (const route of routes) {
    const path = route.path.replace(/:(\w+)/g, "{$1}");
    paths[path] ??= {};
    const item = paths[path];
    item[route.method.toLowerCase()] = operation(route);
    if (route.method === "GET") item.head = withoutBodies(operation(route), `${route.action}.head`);
    allowed.set(path, [...(allowed.get(path) ?? ["OPTIONS"]), ...methodsOf(route)].sort());
  }
  for (const [path, item] of Object.entries(paths)) {
    item.options = {
      summary: "The methods of this path",
      responses: { 204: { description: "No content", headers: header("Allow", true) } },
    };
    for (const method of METHODS) if (!item[method]) item[method] = notAllowed(allowed.get(path)!.join(", "));
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Orders & invoices",
      version: "1.0.0",
      description:
        "Money is integer minor units with an ISO 4217 currency. Errors are `{ name, message, code, type, data }`; " +
        "a 422 lists every broken field as `{ field, message, type }`. Every response carries `X-Request-ID`.",
    },
    paths,
    components,
  };
}

function operation(route: Route): Schema {
  const pathNames = [...route.path.matchAll(/:(\w+)/g)].map((match) => match[1]);
  const schema = route.params ? paramsToJsonSchema(route.params) : { type: "object", properties: {} };
  const properties = schema.properties as Record<string, Schema>;
  const required = new Set((schema.required as string[] | undefined) ?? []);
  const rest = Object.fromEntries(Object.entries(properties).filter(([name]) => !pathNames.includes(name)));
  const parameters: Schema[] = [
    ...pathNames.map((name) => ({ name, in: "path", required: true, schema: properties[name] })),
    ...(route.method === "GET"
      ? Object.entries(rest).map(([name, propSchema]) => ({ name, in: "query", required: required.has(name), schema: propSchema }))
      : []),
    ...(route.idempotent
      ? [{ name: "Idempotency-Key", in: "header", required: false, schema: { type: "string", pattern: IDEMPOTENCY_KEY.source } }]
      : []),
    REQUEST_ID,
  ];
  return {
    operationId: route.action,
    summary: route.summary,
    parameters,
    ...(route.method === "POST" ? { requestBody: requestBody(route, schema, rest, required) } : {}),
    responses: { [route.status]: success(route), ...errorResponses(errorsOf(route)) },
  };
}

function requestBody(route: Route, schema: Schema, rest: Record<string, Schema>, required: Set<string>): Schema {
  if (Object.keys(rest).length === 0) {
    return {
      required: false,
      description: "None, or an empty JSON object",
      content: { "application/json": { schema: { type: "object", additionalProperties: false } } },
    };
  }
  return {
    required: true,
    content: {
      "application/json": {
        schema: { ...schema, properties: rest, required: [...required].filter((name) => name in rest) },
        ...(route.example === undefined ? {} : { example: route.example }),
      },
    },
  };
}

function success(route: Route): Schema {
  return {
    description: route.summary,
    headers: {
      ...header("X-Request-ID"),
      ...(route.status === 201 ? header("Location", true) : {}),
      ...(route.idempotent ? header("Idempotent-Replayed") : {}),
    },
    content: { "application/json": { schema: { $ref: `#/components/schemas/${route.response}` } } },
  };
}

/** One response per status, its `type` limited to the errors this route can answer with it. */
function errorResponses(types: ErrorType[]): Record<string, Schema> {
  const byStatus = new Map<number, ErrorType[]>();
  for (const type of types) byStatus.set(ERRORS[type].status, [...(byStatus.get(ERRORS[type].status) ?? []), type]);
  return Object.fromEntries([...byStatus].map(([status, sameStatus]) => [String(status), errorResponse(status, sameStatus)]));
}

function errorResponse(status: number, types: ErrorType[]): Schema {
  const description = types.map((type) => `${type}: ${ERRORS[type].when}`).join("; ");
  const headers = {
    ...header("X-Request-ID"),
    ...(status === 503 || status === 429 ? header("Retry-After", true) : {}),
    ...(status === 405 ? header("Allow", true) : {}),
  };
  if (status === 429)
    return { description, headers, content: { "application/json": { schema: { $ref: "#/components/schemas/RateLimited" } } } };
  const data = status === 422 ? { data: { type: "array", minItems: 1, items: { $ref: "#/components/schemas/FieldError" } } } : {};
  const schema = {
    allOf: [{ $ref: "#/components/schemas/Error" }, { properties: { code: { const: status }, type: { enum: types }, ...data } }],
  };
  return { description, headers, content: { "application/json": { schema } } };
}

function notAllowed(allowed: string): Schema {
  return { summary: `Not a method of this path (${allowed})`, responses: errorResponses(["METHOD_NOT_ALLOWED"]) };
}

function withoutBodies(op: Schema, operationId: string): Schema {
  const responses = Object.fromEntries(
    Object.entries(op.responses as Record<string, Schema>).map(([status, { content: _, ...response }]) => [status, response]),
  );
  return { ...op, operationId, summary: `${op.summary} (headers only)`, responses };
}
