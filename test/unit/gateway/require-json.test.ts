import type { IncomingMessage } from "node:http";
import { requireJsonBody } from "../../../services/gateway/require-json";

const request = (method: string, contentType?: string, contentLength = "12") =>
  ({
    method,
    headers: { "content-length": contentLength, ...(contentType === undefined ? {} : { "content-type": contentType }) },
  }) as unknown as IncomingMessage;

describe("requireJsonBody", () => {
  it.each(["application/json", "application/json; charset=utf-8", "Application/JSON"])("accepts %s", (type) => {
    expect(() => requireJsonBody(request("POST", type))).not.toThrow();
  });

  it.each([undefined, "text/plain", "application/x-www-form-urlencoded", "application/jsonp"])(
    "rejects a POST with %s as 415",
    (type) => {
      expect(() => requireJsonBody(request("POST", type))).toThrow(
        expect.objectContaining({ code: 415, type: "UNSUPPORTED_MEDIA_TYPE" }),
      );
    },
  );

  it("lets requests without a body through", () => {
    expect(() => requireJsonBody(request("GET"))).not.toThrow();
    expect(() => requireJsonBody(request("POST", undefined, "0"))).not.toThrow();
  });
});
