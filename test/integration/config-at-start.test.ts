import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { spawnNode } from "../../scripts/moleculer-node";
import { launch } from "../support/launcher";

/** Everything a process wrote, once it has exited and closed its output, and its exit code. */
async function outcome(child: ChildProcess): Promise<{ code: number | null; output: string }> {
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const [code] = await once(child, "close");
  return { code, output };
}

/** sysexits' EX_CONFIG, as the README promises operators. */
const EX_CONFIG = 78;

/** A stack frame as Node prints one (`    at readConfig (…)`). */
const STACK_FRAME = /^\s+at /m;

/**
 * A node given an invalid variable stops before it starts anything, and says which variables and why,
 * in one line: with OpenTelemetry on, its preload reads the configuration first; without, the broker's options.
 */
it.each([
  ["api", { PORT: "30OO", OTEL_SDK_DISABLED: "true" }, ["PORT must be a whole number from 0 to 65535, got '30OO'"]],
  [
    "orders",
    { COMMAND_BATCH_SIZE: "-5", LOG_LEVEL: "loud", OTEL_SDK_DISABLED: "true" },
    [
      "LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, got 'loud'",
      "COMMAND_BATCH_SIZE must be a whole number of at least 1, got '-5'",
    ],
  ],
  ["invoices", { OUTBOX_POLL_MS: "1s", OTEL_SDK_DISABLED: "" }, ["OUTBOX_POLL_MS must be a whole number of at least 1, got '1s'"]],
  ["api", { PORT: "65536", OTEL_SDK_DISABLED: "true" }, ["PORT must be a whole number from 0 to 65535, got '65536'"]],
  // the line goes to the logs: a URL's credentials are left out
  [
    "orders",
    { TRANSPORTER: "AMQP://app:s3cret@rabbitmq:5672", OTEL_SDK_DISABLED: "true" },
    ["TRANSPORTER must match /^(TCP|amqps?://.+)$/, got 'AMQP://…@rabbitmq:5672'"],
  ],
])("a %s node with %o stops at start, naming each variable in one line", async (role, env, messages) => {
  const { code, output } = await outcome(spawnNode(role, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] }));
  expect(code).toBe(EX_CONFIG);
  expect(output.trim().split("\n")).toEqual([`Invalid configuration: ${messages.join("; ")}`]);
  expect(output).not.toMatch(STACK_FRAME);
});

/** `npm start` checks the configuration before it starts PostgreSQL or any node. */
it("npm start with an invalid variable stops before starting anything, in one line", async () => {
  const { dataDir, env } = await launch({ PORT: "30OO" }, []);
  try {
    const launcher = spawn(process.execPath, [join(__dirname, "../../dist/scripts/start.js")], { env, stdio: ["ignore", "pipe", "pipe"] });
    const { code, output } = await outcome(launcher);
    expect(code).toBe(EX_CONFIG);
    expect(output.trim()).toBe("Invalid configuration: PORT must be a whole number from 0 to 65535, got '30OO'");
    expect(readdirSync(dataDir)).toEqual([]);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

it("npm run repl with an invalid variable stops in one line", async () => {
  const repl = spawn("npm", ["run", "--silent", "repl"], { env: { ...process.env, LOG_LEVEL: "loud" }, stdio: ["ignore", "pipe", "pipe"] });
  const { code, output } = await outcome(repl);
  expect(code).toBe(EX_CONFIG);
  expect(output.trim()).toBe("Invalid configuration: LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, got 'loud'");
});
