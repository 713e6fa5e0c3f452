import { Errors } from "moleculer";
import { retryAfterSeconds, toHttpError, validationDetails } from "../../../services/gateway/http-errors";

describe("toHttpError", () => {
  it("passes client errors through", () => {
    const notFound = new Errors.MoleculerClientError("Order not found", 404, "NOT_FOUND", { id: "x" });
    expect(toHttpError(notFound)).toBe(notFound);
  });

  it("answers a client error of a type the catalogue does not list as one it does", () => {
    expect(toHttpError(new Errors.MoleculerClientError("Unable to decode", 400, "UNABLE_DECODE_PARAM"))).toMatchObject({
      code: 400,
      type: "BAD_REQUEST",
      data: { reason: "UNABLE_DECODE_PARAM" },
    });
    expect(toHttpError(new Errors.MoleculerClientError("Entity not found", 404, undefined as unknown as string))).toMatchObject({
      code: 404,
      type: "NOT_FOUND",
    });
  });

  it.each(["SERVICE_NOT_FOUND", "SERVICE_NOT_AVAILABLE"])(
    "maps %s (the call never reached a service) to 503 SERVICE_UNAVAILABLE",
    (type) => {
      const cause = new Errors.MoleculerError("gone", 404, type);
      expect(toHttpError(cause)).toMatchObject({ code: 503, type: "SERVICE_UNAVAILABLE", data: { reason: type } });
    },
  );

  it.each([
    ["REQUEST_TIMEOUT", 504],
    ["REQUEST_REJECTED", 503],
  ])("maps %s (the call reached a service, no answer came) to 503 OUTCOME_UNKNOWN", (type, code) => {
    const cause = new Errors.MoleculerRetryableError("no answer", code, type);
    expect(toHttpError(cause)).toMatchObject({ code: 503, type: "OUTCOME_UNKNOWN", data: { reason: type } });
  });

  it("gives moleculer-web's untyped 503 (no node serves the route's service right now) a type", () => {
    const untyped = new Errors.MoleculerError("Service unavailable", 503, undefined as never);
    expect(toHttpError(untyped)).toMatchObject({ code: 503, type: "SERVICE_UNAVAILABLE", data: { reason: "SERVICE_NOT_FOUND" } });
  });

  it("maps a lost broker connection (502, retryable) to 503", () => {
    const disconnected = new Errors.MoleculerRetryableError("The broker's transporter has disconnected.", 502, "BAD_GATEWAY");
    expect(toHttpError(disconnected)).toMatchObject({ code: 503, type: "SERVICE_UNAVAILABLE", data: { reason: "BAD_GATEWAY" } });
  });

  it("answers a full admission queue with 503 OVERLOADED, to retry soon", () => {
    const full = new Errors.QueueIsFullError({ action: "orders.create", nodeID: "orders-1" });
    expect(toHttpError(full)).toMatchObject({ code: 503, type: "OVERLOADED" });
    expect(retryAfterSeconds("OVERLOADED")).toBe(1);
    expect(retryAfterSeconds("DEADLINE_EXCEEDED")).toBe(1);
    expect(retryAfterSeconds("DATABASE_UNAVAILABLE")).toBe(5);
  });

  it("keeps a service's own 503", () => {
    const outage = new Errors.MoleculerRetryableError("The database is unavailable; retry later", 503, "DATABASE_UNAVAILABLE");
    expect(toHttpError(outage)).toBe(outage);
  });

  it("hides internals behind a bare 500", () => {
    const leaked = toHttpError(new Error('relation "orders" does not exist'));
    expect(leaked).toMatchObject({ code: 500, type: "INTERNAL_ERROR", message: "Internal server error" });
    expect(JSON.stringify(leaked.data ?? null)).not.toContain("orders");
  });

  it("trims validation failures to field, message and type", () => {
    const error = new Errors.ValidationError("bad", "VALIDATION_ERROR", [
      { type: "required", field: "items", message: "The 'items' field is required.", nodeID: "n", action: "orders.create" },
    ]);
    expect(toHttpError(error)).toMatchObject({
      code: 422,
      data: [{ field: "items", message: "The 'items' field is required.", type: "required" }],
    });
  });
});

describe("validationDetails", () => {
  it("names each unknown key by its full path", () => {
    expect(
      validationDetails([
        { type: "objectStrict", actual: "extra, other", message: "The object '' contains forbidden keys" },
        { type: "objectStrict", field: "items[0]", actual: "colour", message: "…" },
      ]),
    ).toEqual([
      { field: "extra", message: "The 'extra' field is not allowed.", type: "objectStrict" },
      { field: "other", message: "The 'other' field is not allowed.", type: "objectStrict" },
      { field: "items[0].colour", message: "The 'items[0].colour' field is not allowed.", type: "objectStrict" },
    ]);
  });
});
