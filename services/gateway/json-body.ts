import type { IncomingMessage, ServerResponse } from "node:http";
import type { Errors } from "moleculer";
import ApiGateway from "moleculer-web";
import { ACCEPTED_ENCODINGS, checkBodyHeaders, contentEncoding } from "./body-headers";
import { jsonShapeFailures } from "./json-shape";
import { invalidFields, refusal } from "./refusals";

type Next = (err?: unknown) => void;

/** A leading byte order mark is dropped (RFC 8259 §8.1 lets a parser ignore it); bytes that are not UTF-8 are refused. */
const UTF8 = new TextDecoder("utf-8", { fatal: true });

interface BodyParserError {
  type?: string;
  status?: number;
  limit?: number;
}

/**
 * The route's body middleware, instead of moleculer-web's JSON body parser: body-parser only reads
 * the bytes (inflating them, within `limitBytes` of inflated bytes), and the gateway decodes them
 * itself, as UTF-8 and nothing else (body-parser's JSON parser would decode any `utf-*` charset and
 * replace bytes that are not UTF-8). `req.body` is the parsed JSON object, or undefined when the
 * request has no body or an empty one. A body nested too deep or with a forbidden key is refused
 * here, before any call is made with it.
 */
export function jsonBody(limitBytes: number) {
  const readBytes = ApiGateway.bodyParser.raw({ type: () => true, limit: limitBytes });
  return function readJsonBody(req: IncomingMessage & { body?: unknown }, res: ServerResponse, next: Next): void {
    const refuse = (err: unknown) => next(answerable(err, res));
    try {
      if (!checkBodyHeaders(req)) return next();
      // Announced too large, it is refused before a byte is read: body-parser would read it all first.
      if (contentEncoding(req) === "identity" && Number(req.headers["content-length"]) > limitBytes) return refuse(tooLarge(limitBytes));
    } catch (err) {
      return refuse(err);
    }
    readBytes(req, res, (err?: unknown) => {
      if (err) return refuse(bodyParserRefusal(err as BodyParserError, req));
      try {
        req.body = parseJsonObject(req.body);
      } catch (refused) {
        return refuse(refused);
      }
      next();
    });
  };
}

const tooLarge = (limit: number) => refusal("PAYLOAD_TOO_LARGE", "The request body is too large", { limit });

/**
 * A refusal with the headers its answer needs: a 413 closes the connection, so that the rest of a
 * body too large is not read only to be thrown away; a 415 for an encoding lists those accepted.
 */
function answerable(err: unknown, res: ServerResponse): unknown {
  const type = (err as { type?: string }).type;
  if (type === "PAYLOAD_TOO_LARGE") res.setHeader("Connection", "close");
  if (type === "UNSUPPORTED_CONTENT_ENCODING") res.setHeader("Accept-Encoding", ACCEPTED_ENCODINGS);
  return err;
}

/** The object a request body holds; undefined for no body. */
export function parseJsonObject(bytes: unknown): Record<string, unknown> | undefined {
  if (!Buffer.isBuffer(bytes) || bytes.length === 0) return undefined;
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    throw refusal("INVALID_JSON", "The request body is not valid UTF-8");
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw refusal("INVALID_JSON", "The request body is not valid JSON");
  }
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw refusal("INVALID_JSON", "The request body must be a JSON object");
  }
  const failures = jsonShapeFailures(body);
  if (failures.length > 0) throw invalidFields(failures);
  return body as Record<string, unknown>;
}

/**
 * body-parser's errors while reading, as the client's refusal. Its `stream.encoding.set` and
 * `stream.not.readable` (500) mean our code read the request before it: a bug, left a 500. Its
 * charset, parse and verify errors cannot arise (its JSON parser is not used), nor its unsupported
 * encoding (checkBodyHeaders refuses it first).
 */
export function bodyParserRefusal(err: BodyParserError, req: IncomingMessage): Errors.MoleculerError | BodyParserError {
  switch (err.type) {
    case "entity.too.large":
      return tooLarge(err.limit!);
    case "request.aborted":
      return refusal("REQUEST_ABORTED", "The client closed the request before its body arrived");
    case "request.size.invalid":
      return refusal("BAD_REQUEST", "The request body is not as long as its Content-Length says", { header: "Content-Length" });
  }
  if ((err.status ?? 500) >= 500) return err;
  // Without a type, a stream failed: the decompression's when the body is encoded.
  const encoding = contentEncoding(req);
  if (encoding !== "identity") {
    return refusal("INVALID_CONTENT_ENCODING", `The request body is not valid ${encoding}`, { encoding });
  }
  return refusal("BAD_REQUEST", "The request body could not be read");
}
