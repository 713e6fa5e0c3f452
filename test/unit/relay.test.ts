import { relayOptionsFromEnv, retryDelay } from "../../mixins/relay";

describe("retryDelay", () => {
  it("doubles from the base and stops at the cap", () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((attempt) => retryDelay(attempt, 1_000, 30_000))).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000,
    ]);
  });
});

describe("relayOptionsFromEnv", () => {
  it("has production defaults and takes overrides", () => {
    expect(relayOptionsFromEnv({})).toEqual({ pollMs: 1_000, batchSize: 100, retryBaseMs: 1_000, retryMaxMs: 30_000 });
    expect(relayOptionsFromEnv({ OUTBOX_RETRY_MAX_MS: "2000" }).retryMaxMs).toBe(2_000);
  });
});
