/** The units module: client commands run in units of work, in batches, once per Idempotency-Key. */
export { type CommandMethods, type CommandOptions, commandsMixin } from "./command-batches";
export type { UnitOfWork } from "./unit-of-work";
