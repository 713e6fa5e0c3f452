import type { IncomingMessage } from "node:http";
import { MIMEType } from "node:util";
import { refusal } from "./refusals";

const WITHOUT_BODY = new Set(["GET", "HEAD"]);
/**
 * The encodings a body may come in; body-parser inflates them and applies the body limit to the
 * inflated bytes. It would inflate zstd too on this Node: the API promises the common ones only.
 */
const CONTENT_ENCODINGS = ["identity", "gzip", "deflate", "br"] as const;
/** What a 415 for an encoding answers in `Accept-Encoding` (RFC 9110 §15.5.16). */
export const ACCEPTED_ENCODINGS = CONTENT_ENCODINGS.join(", ");

/**
 * What the headers of a request say of its body, checked before a byte of it is read: GET and HEAD
 * take none; a body is JSON (or it would reach the action as nothing), in UTF-8 (RFC 8259 §8.1;
 * anything else would be decoded into other characters than the client meant), in an encoding the
 * gateway inflates. Requests without a body pass: a POST that takes no fields needs no Content-Type.
 * Whether the request has a body, by the same rule: a Content-Length above 0, or Transfer-Encoding.
 */
export function checkBodyHeaders(req: IncomingMessage): boolean {
  const framing = bodyHeader(req);
  if (!framing) return false;
  if (WITHOUT_BODY.has(req.method!)) {
    throw refusal("BODY_NOT_ALLOWED", `A ${req.method} request takes no body`, { header: framing });
  }
  const contentType = req.headers["content-type"] ?? "";
  const mime = parseMime(contentType);
  if (mime?.essence !== "application/json") {
    throw refusal("UNSUPPORTED_MEDIA_TYPE", "Content-Type must be application/json", { contentType: contentType || null });
  }
  const charset = mime.params.get("charset");
  if (charset !== null && charset.toLowerCase() !== "utf-8") {
    throw refusal("UNSUPPORTED_CHARSET", "The body must be UTF-8: charset absent or utf-8", { charset });
  }
  const encoding = contentEncoding(req);
  if (!(CONTENT_ENCODINGS as readonly string[]).includes(encoding)) {
    throw refusal("UNSUPPORTED_CONTENT_ENCODING", `Content-Encoding must be one of ${ACCEPTED_ENCODINGS}`, {
      encoding: req.headers["content-encoding"],
    });
  }
  return true;
}

/** The request's `Content-Encoding`, as compared: trimmed, lower case, `identity` when absent. */
export function contentEncoding(req: IncomingMessage): string {
  return (req.headers["content-encoding"] ?? "identity").trim().toLowerCase();
}

/** The header that announces a body, if one does. */
function bodyHeader(req: IncomingMessage): string | undefined {
  if (req.headers["transfer-encoding"] !== undefined) return "Transfer-Encoding";
  if (Number(req.headers["content-length"] ?? 0) > 0) return "Content-Length";
  return undefined;
}

function parseMime(contentType: string): MIMEType | undefined {
  try {
    return new MIMEType(contentType);
  } catch {
    return undefined;
  }
}
