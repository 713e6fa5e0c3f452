import { listInvoicesParams } from "../../contracts/invoices";
import { createOrderExample, createOrderParams, listOrdersParams } from "../../contracts/orders";
import { idParams } from "../../contracts/paging";

/** One public REST route: the gateway's alias and its entry in GET /openapi.json come from it. */
export interface Route {
  method: "GET" | "POST";
  /** moleculer-web's syntax (`/orders/:id`) */
  path: string;
  action: string;
  summary: string;
  /** the fastest-validator params of the action; path parameters included */
  params?: Record<string, unknown>;
  status: number;
  /** the response body's schema: a name in the document's components */
  response: string;
  example?: unknown;
  /** honours the Idempotency-Key header */
  idempotent?: boolean;
  /** moves a status, so may answer 409 ILLEGAL_TRANSITION */
  transition?: boolean;
}

/** Nothing else is reachable over HTTP (`mappingPolicy: "restrict"`). */
export const ROUTES: Route[] = [
  {
    method: "POST",
    path: "/orders",
    action: "orders.create",
    summary: "Create an order (totals are computed)",
    params: createOrderParams,
    status: 201,
    response: "Order",
    example: createOrderExample,
    idempotent: true,
  },
  { method: "GET", path: "/orders/:id", action: "orders.get", summary: "One order", params: idParams, status: 200, response: "Order" },
  {
    method: "GET",
    path: "/orders",
    action: "orders.list",
    summary: "Orders, newest first",
    params: listOrdersParams,
    status: 200,
    response: "OrderPage",
  },
  {
    method: "POST",
    path: "/orders/:id/cancel",
    action: "orders.cancel",
    summary: "Cancel an order; its invoice is voided, or credited if it was paid",
    params: idParams,
    status: 200,
    response: "Order",
    idempotent: true,
    transition: true,
  },
  {
    method: "GET",
    path: "/invoices/:id",
    action: "invoices.get",
    summary: "One invoice",
    params: idParams,
    status: 200,
    response: "Invoice",
  },
  {
    method: "GET",
    path: "/invoices",
    action: "invoices.list",
    summary: "Invoices, newest first",
    params: listInvoicesParams,
    status: 200,
    response: "InvoicePage",
  },
  {
    method: "POST",
    path: "/invoices/:id/pay",
    action: "invoices.pay",
    summary: "Record an invoice's payment; its order becomes paid",
    params: idParams,
    status: 200,
    response: "Invoice",
    idempotent: true,
    transition: true,
  },
  { method: "GET", path: "/health", action: "api.health", summary: "Liveness of the gateway", status: 200, response: "Health" },
  {
    method: "GET",
    path: "/ready",
    action: "api.ready",
    summary: "Readiness: services and databases reachable, with consistency reports",
    status: 200,
    response: "Ready",
  },
  { method: "GET", path: "/openapi.json", action: "api.openapi", summary: "This document", status: 200, response: "Document" },
];

/** The probes' paths: hit every few seconds by Kong and the orchestrator, they are not traced. */
export const PROBE_PATHS: ReadonlySet<string> = new Set(
  ROUTES.filter((route) => route.action === "api.health" || route.action === "api.ready").map((route) => route.path),
);

/** The methods a route answers: HEAD answers as GET does, without the body. */
export const methodsOf = (route: Route): string[] => (route.method === "GET" ? ["GET", "HEAD"] : [route.method]);

/** moleculer-web's aliases: `"<method> <path>": action`. */
export const aliases = Object.fromEntries(
  ROUTES.flatMap((route) => methodsOf(route).map((method) => [`${method} ${route.path}`, route.action])),
);

const BY_ALIAS = new Map(ROUTES.flatMap((route) => methodsOf(route).map((method) => [`${method} ${route.path}`, route])));

/** The route of one of `aliases`, by its method and path as moleculer-web holds them (`fullPath`). */
export function routeOf(method: string, path: string): Route {
  const route = BY_ALIAS.get(`${method} ${path}`);
  if (!route) throw new Error(`No route for the alias ${method} ${path}`);
  return route;
}
