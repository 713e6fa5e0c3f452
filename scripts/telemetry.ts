import { configAtStart } from "../mixins/config";

/**
 * Preload of every node: `node --require ./dist/scripts/telemetry.js …moleculer-runner.js`.
 * It checks the node's configuration before anything else runs: an invalid variable stops the node in
 * one line, where moleculer-runner would print the error's stack trace.
 * Instrumentations patch `http`, `pg` and `pino` when those are first required, so the SDK has to
 * start before moleculer-runner loads anything. OTEL_SDK_DISABLED=true (case-insensitive, as the spec
 * reads it) leaves traces and log export off without even loading the SDK.
 */
configAtStart();
if (process.env.OTEL_SDK_DISABLED?.trim().toLowerCase() !== "true") {
  // `require`, not `import`: an import would load the SDK even when it is disabled.
  const { startTelemetry } = require("./telemetry-sdk") as typeof import("./telemetry-sdk");
  startTelemetry();
}
