import { email, identifier, instant, text } from "./field-rules";
import { CURRENCIES, MAX_ITEMS, MAX_QUANTITY, MAX_UNIT_PRICE } from "./money";
import { pagingParams, type PagingParams } from "./paging";

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
