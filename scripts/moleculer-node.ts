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
 * V8's young generation is sized from the heap limit, itself from the machine's memory: on a large host a
 * node's resident memory grew past what a small container holds, with no gain in speed (README:
 * Performance). The Dockerfile's CMD passes the same flags.
 */
export const NODE_FLAGS = ["--max-semi-space-size=16"];

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
