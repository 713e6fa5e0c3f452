import { email, identifier, instant, text } from "./field-rules";
import { CURRENCIES, MAX_ITEMS, MAX_QUANTITY, MAX_UNIT_PRICE } from "./money";
import { type PagingParams, pagingParams } from "./paging";

export const ORDER_STATUSES = ["pending", "invoiced", "paid", "cancelled"] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export interface Customer {
  name: string;
  email: string;
}

export interface OrderItemInput {
  sku: string;
  description?: string;
  quantity: number;
  /** minor units */
  unitPrice: number;
}

export interface OrderItem {
  sku: string;
  description: string;
  quantity: number;
  unitPrice: number;
  /** quantity × unitPrice, minor units */
  total: number;
}

export interface Order {
  id: string;
  customerId: string;
  customer: Customer;
  currency: string;
  items: OrderItem[];
  total: number;
  status: OrderStatus;
  invoiceId: string | null;
  createdAt: string;
  updatedAt: string;
}

const instantSchema = { type: "string", format: "date-time" } as const;
const amountSchema = { type: "integer", minimum: 0, maximum: Number.MAX_SAFE_INTEGER } as const;

export const customerSchema = {
  type: "object",
  additionalProperties: false,
  required: ["name", "email"],
  properties: { name: { type: "string" }, email: { type: "string", format: "email" } },
} as const;

/** A priced line as orders and invoices both return it (`OrderItem`, `InvoiceLine`). */
export const lineSchema = {
  type: "object",
  additionalProperties: false,
  required: ["sku", "description", "quantity", "unitPrice", "total"],
  properties: {
    sku: { type: "string" },
    description: { type: "string", description: "empty when the order gave none" },
    quantity: { type: "integer", minimum: 1, maximum: MAX_QUANTITY },
    unitPrice: { type: "integer", minimum: 0, maximum: MAX_UNIT_PRICE },
    total: amountSchema,
  },
} as const;

/** `Order` as the API returns it (GET /openapi.json). */
export const orderSchema = {
  type: "object",
  additionalProperties: false,
  required: ["id", "customerId", "customer", "currency", "items", "total", "status", "invoiceId", "createdAt", "updatedAt"],
  properties: {
    id: { type: "string", format: "uuid" },
    customerId: { type: "string" },
    customer: { $ref: "#/components/schemas/Customer" },
    currency: { type: "string", pattern: "^[A-Z]{3}$" },
    items: { type: "array", minItems: 1, maxItems: MAX_ITEMS, items: { $ref: "#/components/schemas/Line" } },
    total: amountSchema,
    status: { type: "string", enum: [...ORDER_STATUSES] },
    invoiceId: { type: ["string", "null"], format: "uuid", description: "null until the invoice is issued" },
    createdAt: instantSchema,
    updatedAt: instantSchema,
  },
} as const;

/** `orders.create` — the body of `POST /orders`. */
export interface CreateOrderParams {
  customerId: string;
  customer: Customer;
  currency: string;
  items: OrderItemInput[];
}

export const createOrderParams = {
  $$strict: true,
  customerId: identifier({ max: 64 }),
  customer: {
    type: "object",
    strict: true,
    props: {
      name: text({ max: 200 }),
      email: email(),
    },
  },
  currency: {
    type: "enum",
    values: CURRENCIES,
    messages: { enumValue: "The 'currency' field must be an ISO 4217 currency code." },
  },
  items: {
    type: "array",
    min: 1,
    max: MAX_ITEMS,
    items: {
      type: "object",
      strict: true,
      props: {
        sku: text({ max: 64 }),
        description: text({ min: 0, max: 500, optional: true }),
        quantity: { type: "number", integer: true, min: 1, max: MAX_QUANTITY },
        unitPrice: { type: "number", integer: true, min: 0, max: MAX_UNIT_PRICE },
      },
    },
  },
} as const;

/** The example body of the published API (GET /openapi.json); tests check it passes `createOrderParams`. */
export const createOrderExample: CreateOrderParams = {
  customerId: "cust-42",
  customer: { name: "Ada Lovelace", email: "ada@example.com" },
  currency: "EUR",
  items: [
    { sku: "BOOK-1", description: "Notes on the Analytical Engine", quantity: 2, unitPrice: 1500 },
    { sku: "PEN", quantity: 3, unitPrice: 199 },
  ],
};

/** `orders.list` — the query of `GET /orders`, newest first. */
export interface ListOrdersParams extends PagingParams {
  customerId?: string;
  status?: OrderStatus;
  /** created at or after (RFC 3339) */
  createdFrom?: Date;
  /** created before (RFC 3339) */
  createdTo?: Date;
}

export const listOrdersParams = {
  $$strict: true,
  customerId: identifier({ max: 64, optional: true }),
  status: { type: "enum", values: ORDER_STATUSES, optional: true },
  createdFrom: instant({ optional: true }),
  createdTo: instant({ optional: true }),
  ...pagingParams,
} as const;
