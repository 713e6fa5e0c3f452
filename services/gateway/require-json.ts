import type { IncomingMessage } from "node:http";
import { Errors } from "moleculer";

const WITH_BODY = new Set(["POST", "PUT", "PATCH"]);

/**
 * A request with a body must say it is JSON; anything else would reach the action as `{}`.
 * A body-less POST (`/orders/:id/cancel`) needs no Content-Type.
 */
export function requireJsonBody(req: IncomingMessage): void {
  if (!WITH_BODY.has(req.method ?? "") || !hasBody(req)) return;
  const contentType = req.headers["content-type"] ?? "";
  if (!/^application\/json\s*(;|$)/i.test(contentType)) {
    throw new Errors.MoleculerClientError("Content-Type must be application/json", 415, "UNSUPPORTED_MEDIA_TYPE", {
      contentType: contentType || null,
    });
  }
}

function hasBody(req: IncomingMessage): boolean {
  return req.headers["transfer-encoding"] !== undefined || Number(req.headers["content-length"] ?? 0) > 0;
}
