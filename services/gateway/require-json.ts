import type { IncomingMessage } from "node:http";
import { Errors } from "moleculer";

const WITH_BODY = new Set(["POST", "PUT", "PATCH"]);

/** A request with a body must say it is JSON; anything else would reach the action as `{}`. */
export function requireJsonBody(req: IncomingMessage): void {
  if (!WITH_BODY.has(req.method ?? "")) return;
  const contentType = req.headers["content-type"] ?? "";
  if (!/^application\/json\s*(;|$)/i.test(contentType)) {
    throw new Errors.MoleculerClientError("Content-Type must be application/json", 415, "UNSUPPORTED_MEDIA_TYPE", {
      contentType: contentType || null,
    });
  }
}
