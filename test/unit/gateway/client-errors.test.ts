import { PassThrough } from "node:stream";
import type { Logger } from "moleculer";
import { answerClientError, clientErrorRefusal } from "../../../services/gateway/client-errors";

describe("clientErrorRefusal", () => {
  it.each([
    ["HPE_HEADER_OVERFLOW", 431, "HEADERS_TOO_LARGE"],
    ["ERR_HTTP_REQUEST_TIMEOUT", 408, "REQUEST_TIMEOUT"],
    ["HPE_INVALID_METHOD", 400, "BAD_REQUEST"],
  ])("answers %s %i %s", (code, status, type) => {
    expect(clientErrorRefusal(code)).toMatchObject({ code: status, type });
  });
});

describe("answerClientError", () => {
  const logger = { info: jest.fn() } as unknown as Logger;

  it("writes the JSON error to the socket with Connection: close, and logs one line", async () => {
    const socket = new PassThrough();
    const written: Buffer[] = [];
    socket.on("data", (chunk: Buffer) => written.push(chunk));
    const err = Object.assign(new Error("Header overflow"), { code: "HPE_HEADER_OVERFLOW" });
    answerClientError(err, socket, logger);
    await new Promise((resolve) => socket.on("close", resolve));
    const [head, body] = Buffer.concat(written).toString().split("\r\n\r\n");
    expect(head.split("\r\n")).toEqual([
      "HTTP/1.1 431 Request Header Fields Too Large",
      "Content-Type: application/json; charset=utf-8",
      `Content-Length: ${Buffer.byteLength(body)}`,
      "Connection: close",
    ]);
    expect(JSON.parse(body)).toMatchObject({ code: 431, type: "HEADERS_TOO_LARGE" });
    expect(logger.info).toHaveBeenCalledTimes(1);
  });

  it("only closes a connection the client reset", () => {
    const socket = new PassThrough();
    const destroy = jest.spyOn(socket, "destroy");
    const write = jest.spyOn(socket, "write");
    answerClientError(Object.assign(new Error("reset"), { code: "ECONNRESET" }), socket, logger);
    expect(destroy).toHaveBeenCalled();
    expect(write).not.toHaveBeenCalled();
  });
});
