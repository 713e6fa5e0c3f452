import type { FieldError } from "./http-errors";
import { FIELD_REFUSALS, invalidFields } from "./refusals";
import type { Route } from "./routes";

/** Where moleculer-web puts a request's parameters when it does not merge them (`mergeParams: false`). */
export interface ParamSources {
  body?: Record<string, unknown>;
  query: Record<string, unknown>;
  params: Record<string, string>;
}

/**
 * The parameters an action is called with, each field from one source: path parameters from the
 * path only, a GET route's other fields from the query string only, a POST route's from the body
 * only. moleculer-web's merge would let a query parameter silently override a body field, and a
 * body or query field a path parameter; here either is a 422 naming it.
 */
export function paramsFromSources(route: Route, { body, query, params }: ParamSources): Record<string, unknown> {
  const failures: FieldError[] = [];
  if (route.method === "POST") {
    for (const name of Object.keys(query)) {
      failures.push({
        field: name,
        message: `The '${name}' parameter is not allowed in the query string: the fields of a POST come from its body.`,
        type: FIELD_REFUSALS.queryNotAllowed,
      });
    }
  }
  const fields = route.method === "GET" ? query : (body ?? {});
  for (const name of Object.keys(fields).filter((key) => Object.hasOwn(params, key))) {
    failures.push({ field: name, message: `The '${name}' parameter comes from the path only.`, type: FIELD_REFUSALS.pathParameter });
  }
  if (failures.length > 0) throw invalidFields(failures);
  return { ...fields, ...params };
}
