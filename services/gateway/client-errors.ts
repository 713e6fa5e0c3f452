import { STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";
import type { Logger } from "moleculer";
import { refusal } from "./refusals";

/** A socket as Node's HTTP server holds it: with the response in progress on it, if any. */
type ServerSocket = Duplex & { _httpMessage?: { headersSent?: boolean } };

/** The refusal for what Node's HTTP parser could not take; Node's own answer has no body. */
export function clientErrorRefusal(code: string | undefined) {
  switch (code) {
    case "HPE_HEADER_OVERFLOW":
      return refusal("HEADERS_TOO_LARGE", "The request's headers are too large");
    case "ERR_HTTP_REQUEST_TIMEOUT":
      return refusal("REQUEST_TIMEOUT", "The request did not arrive in time");
    default:
      return refusal("BAD_REQUEST", "The request is not well-formed HTTP", { reason: code });
  }
}

/**
 * The HTTP server's `clientError` handler: the gateway's JSON error, where Node would answer with
 * an empty body, and the connection closed, since what follows on it cannot be trusted. There is no
 * request to hang it on, so it is written to the socket as it is.
 */
export function answerClientError(err: NodeJS.ErrnoException, socket: ServerSocket, logger: Logger): void {
  // Nobody is listening, or an answer is already half-written on this connection (as Node decides).
  if (err.code === "ECONNRESET" || !socket.writable || socket._httpMessage?.headersSent) {
    socket.destroy();
    return;
  }
  const error = clientErrorRefusal(err.code);
  logger.info(`Refused a request: ${error.code} ${error.type} (${err.code})`);
  const body = JSON.stringify({ name: error.name, message: error.message, code: error.code, type: error.type, data: error.data });
  socket.end(
    `HTTP/1.1 ${error.code} ${STATUS_CODES[error.code]}\r\n` +
      "Content-Type: application/json; charset=utf-8\r\n" +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      "Connection: close\r\n\r\n" +
      body,
    // As Node does: closed once written, not left half-open for the client to hold.
    () => socket.destroy(),
  );
}
