import type { IncomingMessage } from "node:http";
import { Errors } from "moleculer";

const KEY = /^[\x21-\x7e]{1,255}$/;

/** The request's `Idempotency-Key`: absent, or 1–255 visible ASCII characters (a UUID, typically). */
export function idempotencyKey(req: IncomingMessage): string | undefined {
  const header = req.headers["idempotency-key"];
  if (header === undefined) return undefined;
  if (typeof header === "string" && KEY.test(header)) return header;
  throw new Errors.ValidationError("Parameters validation error!", "VALIDATION_ERROR", [
    {
      field: "Idempotency-Key",
      message: "The 'Idempotency-Key' header must be 1 to 255 visible ASCII characters.",
      type: "idempotencyKey",
    },
  ]);
}
