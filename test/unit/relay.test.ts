import { relayOptionsFromEnv } from "../../mixins/relay";

describe("relayOptionsFromEnv", () => {
  it("has production defaults and takes overrides", () => {
    expect(relayOptionsFromEnv({})).toEqual({ pollMs: 1_000, batchSize: 100, retryBaseMs: 1_000, retryMaxMs: 30_000 });
    expect(relayOptionsFromEnv({ OUTBOX_RETRY_MAX_MS: "2000" }).retryMaxMs).toBe(2_000);
  });
});
