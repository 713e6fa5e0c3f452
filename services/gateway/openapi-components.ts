import { invoiceSchema } from "../../contracts/invoices";
import { customerSchema, lineSchema, orderSchema } from "../../contracts/orders";
import { MAX_COUNTED, MAX_PAGE_SIZE } from "../../contracts/paging";

type Schema = Record<string, unknown>;

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const count = { type: "integer", minimum: 0 };

/** A page by number (counted up to MAX_COUNTED rows), or by cursor (`starting_after`/`ending_before`: no count). */
function page(item: string): Schema {
  const byCursor = {
    type: "object",
    additionalProperties: false,
    required: ["rows", "pageSize", "hasMore"],
    properties: {
      rows: { type: "array", maxItems: MAX_PAGE_SIZE, items: ref(item) },
      pageSize: { type: "integer", minimum: 1, maximum: MAX_PAGE_SIZE },
      hasMore: { type: "boolean" },
    },
  };
  return { oneOf: [byNumber(item), byCursor] };
}

function byNumber(item: string): Schema {
  return {
    type: "object",
    additionalProperties: false,
    required: ["rows", "total", "page", "pageSize", "totalPages", "hasMore"],
    properties: {
      rows: { type: "array", maxItems: MAX_PAGE_SIZE, items: ref(item) },
      total: {
        type: ["integer", "null"],
        minimum: 0,
        maximum: MAX_COUNTED,
        description: `The rows matching the filters; null when more than ${MAX_COUNTED} match: page on while \`hasMore\`, or by cursor.`,
      },
      page: { type: "integer", minimum: 1 },
      pageSize: { type: "integer", minimum: 1, maximum: MAX_PAGE_SIZE },
      totalPages: { type: ["integer", "null"], minimum: 0, maximum: MAX_COUNTED, description: "null when `total` is" },
      hasMore: { type: "boolean", description: "rows lie beyond this page" },
    },
  };
}

const outboxReport = {
  type: "object",
  additionalProperties: false,
  required: ["pending", "oldestPendingSeconds", "stuck", "parked"],
  properties: { pending: count, oldestPendingSeconds: { type: "number", minimum: 0 }, stuck: count, parked: count },
};

/** The document's reusable schemas, headers and responses. */
export const components = {
  schemas: {
    Customer: customerSchema,
    Line: lineSchema,
    Order: orderSchema,
    Invoice: invoiceSchema,
    OrderPage: page("Order"),
    InvoicePage: page("Invoice"),
    Health: { type: "object", additionalProperties: false, required: ["status"], properties: { status: { const: "ok" } } },
    Ready: {
      type: "object",
      additionalProperties: false,
      required: ["status", "services", "consistency", "attention"],
      properties: {
        status: { const: "ready" },
        services: { type: "object", additionalProperties: { enum: ["up", "down"] } },
        consistency: {
          type: "object",
          additionalProperties: {
            type: "object",
            additionalProperties: false,
            required: ["outbox"],
            properties: { outbox: outboxReport, ordersWithoutInvoice: count, olderThanSeconds: count },
          },
        },
        attention: { type: "array", items: { type: "string" }, description: "what an operator should look at; readiness stays 200" },
      },
    },
    Document: { type: "object", required: ["openapi", "info", "paths"], description: "an OpenAPI 3.1 document" },
    Error: {
      type: "object",
      additionalProperties: false,
      required: ["name", "message", "code", "type"],
      properties: {
        name: { type: "string" },
        message: { type: "string" },
        code: { type: "integer", minimum: 400, maximum: 599 },
        type: { type: "string" },
        data: { description: "what the error is about; for 422 a list of FieldError" },
      },
    },
    FieldError: {
      type: "object",
      additionalProperties: false,
      required: ["field", "message", "type"],
      properties: {
        field: { type: "string", description: "the body field (`items[0].sku`), query or path parameter, or header named" },
        message: { type: "string" },
        type: { type: "string" },
      },
    },
    RateLimited: {
      type: "object",
      required: ["message"],
      properties: { message: { type: "string" } },
      description: "Kong's own body",
    },
  },
  headers: {
    "X-Request-ID": {
      description: "the request's id, in every node's logs and trace (sent by the client or made up)",
      schema: { type: "string" },
    },
    "Retry-After": { description: "seconds to wait before retrying", schema: { type: "integer", minimum: 0 } },
    Allow: { description: "the methods of this path", schema: { type: "string" } },
    Location: { description: "the new resource", schema: { type: "string" } },
    "Idempotent-Replayed": { description: "present on a replayed answer to a repeated Idempotency-Key", schema: { const: "true" } },
  },
};
