import type { ServerResponse } from "node:http";
import type { IncomingRequest } from "moleculer-web";
import { refusal } from "./refusals";

/** What the gateway needs of a moleculer-web alias: its method, and whether a path is its. */
export interface MethodAlias {
  method: string;
  match(path: string): unknown;
}

/**
 * The methods a path answers, as its `Allow` header lists them: those of the aliases that match
 * it (routes.ts makes one per route, and HEAD for each GET), and OPTIONS. None: no such path.
 */
export function allowedMethods(aliases: readonly MethodAlias[], path: string): string[] {
  const methods = new Set(aliases.filter((alias) => alias.match(path)).map((alias) => alias.method));
  if (methods.size === 0) return [];
  return [...methods, "OPTIONS"].sort();
}

/**
 * The first middleware of the route, before anything of the body is read: an unknown path is a
 * 404, a known one asked with a method it does not have a 405 with `Allow`, and OPTIONS a 204 with
 * `Allow`. moleculer-web would otherwise answer a wrong method 404, and OPTIONS as a GET (or as the
 * method a CORS preflight names) of the same path; Kong answers preflights in front of the gateway.
 */
export function answerMethods(
  this: { aliases: readonly MethodAlias[] },
  req: IncomingRequest,
  res: ServerResponse,
  next: (err?: unknown) => void,
): void {
  const allow = allowedMethods(this.aliases, req.parsedUrl);
  if (allow.length === 0) return next(refusal("NOT_FOUND", "Not found", { path: req.parsedUrl }));
  if (req.method === "OPTIONS") {
    res.writeHead(204, { Allow: allow.join(", ") });
    res.end();
    return;
  }
  if (!allow.includes(req.method!)) {
    res.setHeader("Allow", allow.join(", "));
    return next(refusal("METHOD_NOT_ALLOWED", `${req.method} is not allowed here`, { method: req.method, allow }));
  }
  next();
}
