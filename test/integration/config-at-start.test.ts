import { once } from "node:events";
import { spawnNode } from "../../scripts/moleculer-node";

/** A node given an invalid variable stops before it starts anything, and says which variables and why. */
it.each([
  ["api", { PORT: "30OO" }, ["PORT must be a whole number of at least 0, got '30OO'"]],
  [
    "orders",
    { COMMAND_BATCH_SIZE: "-5", LOG_LEVEL: "loud" },
    [
      "LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, got 'loud'",
      "COMMAND_BATCH_SIZE must be a whole number of at least 1, got '-5'",
    ],
  ],
])("a %s node with %o stops at start, naming each variable", async (role, env, messages) => {
  const node = spawnNode(role, { env: { ...process.env, OTEL_SDK_DISABLED: "true", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  node.stdout!.on("data", (chunk) => (output += chunk));
  node.stderr!.on("data", (chunk) => (output += chunk));
  const [code] = await once(node, "exit");
  expect(code).not.toBe(0);
  for (const message of messages) expect(output).toContain(message);
  expect(output).not.toContain("ServiceBroker is started");
});
