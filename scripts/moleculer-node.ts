import { type ChildProcess, type StdioOptions, spawn } from "node:child_process";
import { basename, dirname, join, resolve } from "node:path";

// Compiled, this file runs from dist/scripts; under jest, from scripts/. Both start dist/'s build.
const parent = resolve(__dirname, "..");
const dist = basename(parent) === "dist" ? parent : join(parent, "dist");
// moleculer's package "exports" hides bin/, so it is found next to the package's main file.
const runner = join(dirname(require.resolve("moleculer")), "bin", "moleculer-runner.js");
// Preloaded so that OpenTelemetry patches http, pg and pino before anything requires them.
const telemetry = join(dist, "scripts", "telemetry.js");

/**
 * V8 sizes the heap from the memory it sees: on a large host it let a node grow to four times what was
 * live before collecting, past what a small container holds, with no gain in speed; in a small container
 * it collects so often that it costs CPU. So the young generation is bounded, and the old one grows to
 * twice what the last full collection left, wherever the node runs (README: Performance, Memory).
 * Neither is a hard limit: a node that needs more heap still gets it. The Dockerfile's CMD passes the
 * same flags.
 */
export const NODE_FLAGS = ["--max-semi-space-size=16", "--heap-growing-percent=100"];

export interface NodeOptions {
  env: NodeJS.ProcessEnv;
  stdio?: StdioOptions;
  detached?: boolean;
}

/** One Moleculer node as its own process: moleculer-runner with the built config and one role's services. */
export function spawnNode(role: string, { env, stdio = "inherit", detached = false }: NodeOptions): ChildProcess {
  return spawn(process.execPath, [...NODE_FLAGS, "--require", telemetry, runner, "--config", join(dist, "moleculer.config.js")], {
    env: { ...env, SERVICES: role, SERVICEDIR: join(dist, "services"), NODE_ROLE: role },
    stdio,
    detached,
  });
}
