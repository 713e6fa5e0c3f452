import type { IncomingMessage } from "node:http";
import { bodyParserRefusal, parseJsonObject } from "../../../services/gateway/json-body";

const request = (encoding?: string) =>
  ({ headers: encoding === undefined ? {} : { "content-encoding": encoding } }) as unknown as IncomingMessage;

describe("parseJsonObject", () => {
  it("is undefined for no body or an empty one", () => {
    expect(parseJsonObject(undefined)).toBeUndefined();
    expect(parseJsonObject(Buffer.alloc(0))).toBeUndefined();
  });

  it("decodes UTF-8, without a leading byte order mark", () => {
    expect(parseJsonObject(Buffer.from('\ufeff{"name":"Zoë"}'))).toEqual({ name: "Zoë" });
  });

  it.each([
    ["bytes that are not UTF-8", Buffer.from([0x7b, 0x22, 0xe9, 0x22, 0x3a, 0x31, 0x7d])],
    ["malformed JSON", Buffer.from('{"a":')],
    ["an array", Buffer.from("[]")],
    ["a string", Buffer.from('"order"')],
    ["null", Buffer.from("null")],
  ])("refuses %s as 400 INVALID_JSON", (_, bytes) => {
    expect(() => parseJsonObject(bytes)).toThrow(expect.objectContaining({ code: 400, type: "INVALID_JSON" }));
  });

  it("refuses a body of the wrong shape as 422, naming the field", () => {
    expect(() => parseJsonObject(Buffer.from('{"items":[{"__proto__":{}}]}'))).toThrow(
      expect.objectContaining({ code: 422, type: "VALIDATION_ERROR", data: [expect.objectContaining({ field: "items[0].__proto__" })] }),
    );
  });
});

describe("bodyParserRefusal", () => {
  it.each([
    [{ type: "entity.too.large", status: 413, limit: 65536 }, undefined, { code: 413, type: "PAYLOAD_TOO_LARGE", data: { limit: 65536 } }],
    [{ type: "request.aborted", status: 400 }, undefined, { code: 400, type: "REQUEST_ABORTED" }],
    [{ type: "request.size.invalid", status: 400 }, undefined, { code: 400, type: "BAD_REQUEST", data: { header: "Content-Length" } }],
    [{ status: 400 }, "gzip", { code: 400, type: "INVALID_CONTENT_ENCODING", data: { encoding: "gzip" } }],
    [{ status: 400 }, undefined, { code: 400, type: "BAD_REQUEST" }],
  ])("maps %j (Content-Encoding %s) to %j", (err, encoding, refusal) => {
    expect(bodyParserRefusal(err, request(encoding))).toMatchObject(refusal);
  });

  it.each(["stream.encoding.set", "stream.not.readable"])("leaves %s, a bug of ours, a server error", (type) => {
    const err = { type, status: 500 };
    expect(bodyParserRefusal(err, request())).toBe(err);
  });
});
