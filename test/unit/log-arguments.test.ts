import { Writable } from "node:stream";
import pino from "pino";
import { keepLogArguments } from "../../mixins/moleculer/log-arguments";

/** A real Pino logger with the hook, and the JSON records it wrote. */
function logger() {
  const records: Array<Record<string, unknown>> = [];
  const out = new Writable({
    write(chunk, _encoding, done) {
      records.push(JSON.parse(String(chunk)));
      done();
    },
  });
  const log = pino({ hooks: { logMethod: keepLogArguments } }, out);
  /** The way Moleculer's loggers call it: console-style, which Pino's types do not allow. */
  const consoleStyle = (level: "error" | "warn", ...args: unknown[]) => (log[level] as (...all: unknown[]) => void).apply(log, args);
  return { log, consoleStyle, records };
}

describe("keepLogArguments", () => {
  it("keeps an error logged after the message as the record's err, with its stack", () => {
    const { consoleStyle, records } = logger();
    consoleStyle("error", "Message rejected:", new Error("the database is gone"));
    expect(records[0]).toMatchObject({
      level: 50,
      msg: "Message rejected:",
      err: { type: "Error", message: "the database is gone", stack: expect.stringContaining("\n    at ") },
    });
  });

  it("keeps any other arguments, in order, as args", () => {
    const { consoleStyle, records } = logger();
    consoleStyle("warn", "POST /orders: VALIDATION_ERROR", [{ field: "items" }], "more");
    expect(records[0]).toMatchObject({ level: 40, msg: "POST /orders: VALIDATION_ERROR", args: [[{ field: "items" }], "more"] });
  });

  it("never reads a message followed by arguments as a format string", () => {
    const { consoleStyle, records } = logger();
    consoleStyle("warn", "GET /orders/%s%d: NOT_FOUND", "x", 1);
    expect(records[0]).toMatchObject({ msg: "GET /orders/%s%d: NOT_FOUND", args: ["x", 1] });
  });

  it("leaves a lone message, and Pino's own object-first form, as they were", () => {
    const { log, records } = logger();
    log.info("started");
    log.info({ port: 3000 }, "listening on %d", 3000);
    expect(records[0]).toMatchObject({ msg: "started" });
    expect(records[0]).not.toHaveProperty("args");
    expect(records[1]).toMatchObject({ port: 3000, msg: "listening on 3000" });
  });
});
