import { identifier } from "./field-rules";
import type { Customer } from "./orders";
import { type PagingParams, pagingParams } from "./paging";

/**
 * open → paid | void; paid → credited. A paid invoice is never voided: when its order is cancelled
 * after (or while) it was paid, the payment is credited back and the invoice says so (`credited`).
 */
export const INVOICE_STATUSES = ["open", "paid", "void", "credited"] as const;
export type InvoiceStatus = (typeof INVOICE_STATUSES)[number];

export interface InvoiceLine {
  sku: string;
  description: string;
  quantity: number;
  unitPrice: number;
  total: number;
}

export interface Invoice {
  id: string;
  /** INV-<year>-<6-digit sequence>, gapless per year */
  number: string;
  orderId: string;
  customerId: string;
  billTo: Customer;
  currency: string;
  lines: InvoiceLine[];
  total: number;
  status: InvoiceStatus;
  issuedAt: string;
  dueAt: string;
  paidAt: string | null;
  voidedAt: string | null;
  /** when the payment was credited back because the order was cancelled */
  creditedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

const instantSchema = { type: "string", format: "date-time" } as const;
const unlessSchema = (when: string) => ({ type: ["string", "null"], format: "date-time", description: `null unless ${when}` }) as const;

/** `Invoice` as the API returns it (GET /openapi.json). */
export const invoiceSchema = {
  type: "object",
  additionalProperties: false,
  required: [
    "id",
    "number",
    "orderId",
    "customerId",
    "billTo",
    "currency",
    "lines",
    "total",
    "status",
    "issuedAt",
    "dueAt",
    "paidAt",
    "voidedAt",
    "creditedAt",
    "createdAt",
    "updatedAt",
  ],
  properties: {
    id: { type: "string", format: "uuid" },
    number: { type: "string", pattern: "^INV-\\d{4}-\\d{6}$" },
    orderId: { type: "string", format: "uuid" },
    customerId: { type: "string" },
    billTo: { $ref: "#/components/schemas/Customer" },
    currency: { type: "string", pattern: "^[A-Z]{3}$" },
    lines: { type: "array", minItems: 1, items: { $ref: "#/components/schemas/Line" } },
    total: { type: "integer", minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
    status: { type: "string", enum: [...INVOICE_STATUSES] },
    issuedAt: instantSchema,
    dueAt: instantSchema,
    paidAt: unlessSchema("paid"),
    voidedAt: unlessSchema("voided"),
    creditedAt: unlessSchema("credited"),
    createdAt: instantSchema,
    updatedAt: instantSchema,
  },
} as const;

/** `invoices.list` — the query of `GET /invoices`. */
export interface ListInvoicesParams extends PagingParams {
  orderId?: string;
  customerId?: string;
  status?: InvoiceStatus;
}

export const listInvoicesParams = {
  $$strict: true,
  orderId: { type: "uuid", optional: true },
  customerId: identifier({ max: 64, optional: true }),
  status: { type: "enum", values: INVOICE_STATUSES, optional: true },
  ...pagingParams,
} as const;
