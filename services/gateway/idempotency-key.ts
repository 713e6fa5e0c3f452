import type { IncomingMessage } from "node:http";
import { invalidFields } from "./refusals";

/** 1–255 visible ASCII characters (a UUID, typically); the OpenAPI document states the same pattern. */
export const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** The request's `Idempotency-Key`: absent, or as IDEMPOTENCY_KEY says. */
export function idempotencyKey(req: IncomingMessage): string | undefined {
  const header = req.headers["idempotency-key"];
  if (header === undefined) return undefined;
  if (typeof header === "string" && IDEMPOTENCY_KEY.test(header)) return header;
  throw invalidFields([
    {
      field: "Idempotency-Key",
      message: "The 'Idempotency-Key' header must be 1 to 255 visible ASCII characters.",
      type: "idempotencyKey",
    },
  ]);
}
