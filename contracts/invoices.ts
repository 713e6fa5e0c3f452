import { identifier } from "./field-rules";
import type { Customer } from "./orders";
import { pagingParams, type PagingParams } from "./paging";

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
}

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
