import type { LogFn, Logger } from "pino";

/**
 * Pino's `hooks.logMethod` for Moleculer's loggers, which are called console-style:
 * `logger.error("Message rejected:", err)`. Pino keeps only the arguments a format placeholder asks
 * for, and would drop the error, stack and all, from the JSON line. Here an Error after the message
 * becomes the line's `err` (type, message, stack: the logger's error serializer), and any other
 * arguments are kept, in order, as `args` (log-redaction.ts serializes an error among them). Such a
 * message is never read as a format string: one made of client input (a URL with a `%s` in it) stays
 * as it was written.
 */
export function keepLogArguments(this: Logger, args: Parameters<LogFn>, method: LogFn): void {
  const [message, ...rest] = args as unknown[];
  if (typeof message !== "string" || rest.length === 0) return method.apply(this, args);
  const err = rest.find((arg) => arg instanceof Error);
  const others = rest.filter((arg) => arg !== err);
  method.call(this, { ...(err ? { err } : {}), ...(others.length > 0 ? { args: others } : {}) }, message);
}
