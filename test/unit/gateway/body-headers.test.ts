import type { IncomingMessage } from "node:http";
import { checkBodyHeaders } from "../../../services/gateway/body-headers";

const request = (method: string, headers: Record<string, string> = {}) =>
  ({ method, headers: { "content-length": "12", ...headers } }) as unknown as IncomingMessage;
const post = (contentType?: string, headers: Record<string, string> = {}) =>
  request("POST", { ...(contentType === undefined ? {} : { "content-type": contentType }), ...headers });

describe("checkBodyHeaders", () => {
  it.each(["application/json", "application/json; charset=utf-8", "Application/JSON", 'application/json;charset="UTF-8"'])(
    "accepts %s",
    (type) => {
      expect(() => checkBodyHeaders(post(type))).not.toThrow();
    },
  );

  it.each([undefined, "text/plain", "application/x-www-form-urlencoded", "application/jsonp", "application/json, text/plain"])(
    "rejects a POST with %s as 415 UNSUPPORTED_MEDIA_TYPE",
    (type) => {
      expect(() => checkBodyHeaders(post(type))).toThrow(expect.objectContaining({ code: 415, type: "UNSUPPORTED_MEDIA_TYPE" }));
    },
  );

  it.each(["utf-7", "UTF-16", "iso-8859-1", "utf8"])("rejects charset=%s as 415 UNSUPPORTED_CHARSET, naming it", (charset) => {
    expect(() => checkBodyHeaders(post(`application/json; charset=${charset}`))).toThrow(
      expect.objectContaining({ code: 415, type: "UNSUPPORTED_CHARSET", data: { charset } }),
    );
  });

  it.each(["identity", "gzip", "deflate", "br", "GZIP"])("accepts Content-Encoding %s", (encoding) => {
    expect(() => checkBodyHeaders(post("application/json", { "content-encoding": encoding }))).not.toThrow();
  });

  it.each(["zstd", "compress", "gzip, br", "x-gzip"])("rejects Content-Encoding %s as 415, naming it", (encoding) => {
    expect(() => checkBodyHeaders(post("application/json", { "content-encoding": encoding }))).toThrow(
      expect.objectContaining({ code: 415, type: "UNSUPPORTED_CONTENT_ENCODING", data: { encoding } }),
    );
  });

  it.each([
    ["GET", { "content-length": "2" }, "Content-Length"],
    ["HEAD", { "transfer-encoding": "chunked" }, "Transfer-Encoding"],
  ])("refuses a %s with a body as 400 BODY_NOT_ALLOWED, naming %s", (method, headers, header) => {
    expect(() => checkBodyHeaders(request(method, headers))).toThrow(
      expect.objectContaining({ code: 400, type: "BODY_NOT_ALLOWED", data: { header } }),
    );
  });

  it("lets requests without a body through", () => {
    expect(() => checkBodyHeaders(request("GET", { "content-length": "0" }))).not.toThrow();
    expect(() => checkBodyHeaders(request("POST", { "content-length": "0" }))).not.toThrow();
  });
});
