import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { TEST_AMQP_URL, TEST_POSTGRES_URL } from "../support/environment";

/** A few seconds of `npm run bench`: it runs end to end and reports nothing lost, nothing doubled. */
it.each([
  ["", []],
  [", each request with an Idempotency-Key", ["--idempotency-keys"]],
])("npm run bench reports every order invoiced exactly once%s", async (_name, extra) => {
  const json = join(mkdtempSync(join(tmpdir(), "bench-")), "figures.json");
  const bench = join(__dirname, "../../dist/scripts/bench.js");
  const args = ["--duration", "2", "--warmup", "0", "--connections", "5", "--baseline", "1", "--json", json, ...extra];
  await promisify(execFile)(process.execPath, [bench, "--postgres", TEST_POSTGRES_URL, "--transporter", TEST_AMQP_URL, ...args]);
  const figures = JSON.parse(readFileSync(json, "utf8"));
  expect(figures.settings.idempotencyKeys).toBe(extra.length > 0);
  expect(figures.orders).toBeGreaterThan(0);
  expect(figures).toMatchObject({ lost: 0, duplicates: 0, errors: 0 });
  expect(Object.keys(figures.statuses)).toEqual(["201"]);
  expect(figures.rawInsertWithOutboxPerSecond).toBeGreaterThan(0);
  expect(figures.cpuMsPerOrder).toBeGreaterThan(0);
  expect(Object.keys(figures.nodes)).toEqual(["api", "orders-1", "invoices-1"]);
});
