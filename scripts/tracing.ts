/**
 * Preload of every node: `node --require ./dist/scripts/tracing.js …moleculer-runner.js`.
 * Instrumentations patch `http` and `pg` when those are first required, so the SDK has to start
 * before moleculer-runner loads anything. OTEL_SDK_DISABLED=true (case-insensitive, as the spec
 * reads it) leaves tracing off without even loading the SDK.
 */
if (process.env.OTEL_SDK_DISABLED?.trim().toLowerCase() !== "true") {
  // `require`, not `import`: an import would load the SDK even when it is disabled.
  const { startTracing } = require("./tracing-sdk") as typeof import("./tracing-sdk");
  startTracing();
}
