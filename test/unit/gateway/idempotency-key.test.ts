import type { IncomingMessage } from "node:http";
import { idempotencyKey } from "../../../services/gateway/idempotency-key";

const request = (key?: string | string[]) =>
  ({ headers: key === undefined ? {} : { "idempotency-key": key } }) as unknown as IncomingMessage;

describe("idempotencyKey", () => {
  it("is undefined without the header", () => {
    expect(idempotencyKey(request())).toBeUndefined();
  });

  it.each(["0b7c4c36-6f0e-4f43-9d59-0f3c1f1b6a10", "order:42", "x".repeat(255)])("accepts %s", (key) => {
    expect(idempotencyKey(request(key))).toBe(key);
  });

  it.each([
    ["empty", ""],
    ["too long", "x".repeat(256)],
    ["with a space", "a b"],
    ["non-ASCII", "clé"],
    ["repeated", ["a", "b"]],
  ])("rejects a key that is %s with a 422 naming the header", (_name, key) => {
    expect(() => idempotencyKey(request(key))).toThrow(
      expect.objectContaining({ code: 422, data: [expect.objectContaining({ field: "Idempotency-Key" })] }),
    );
  });
});
