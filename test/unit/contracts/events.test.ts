import Validator from "fastest-validator";
import { createEnvelope } from "../../../contracts/events/envelope";
import { INVOICE_ISSUED } from "../../../contracts/events/invoice-issued";
import { ORDER_CREATED } from "../../../contracts/events/order-created";
import { orderCreatedData } from "../../support/fixtures";

const validator = new Validator();

const data = orderCreatedData();

describe("event contracts", () => {
  it("names the consumer groups that must receive each event", () => {
    expect(ORDER_CREATED).toMatchObject({ name: "order.created", version: 1, consumers: ["invoices"] });
    expect(INVOICE_ISSUED).toMatchObject({ name: "invoice.issued", version: 1, consumers: ["orders"] });
  });

  it("wraps data in an envelope its own schema accepts", () => {
    const envelope = createEnvelope(ORDER_CREATED, data, { correlationId: "req-1", causationId: "ctx-1", source: "orders" });
    expect(envelope).toMatchObject({
      type: "order.created",
      version: 1,
      correlationId: "req-1",
      causationId: "ctx-1",
      source: "orders",
      data,
    });
    expect(validator.validate(envelope, ORDER_CREATED.params)).toBe(true);
  });

  it("gives every message its own id", () => {
    const cause = { correlationId: "r", causationId: "c", source: "orders" };
    expect(createEnvelope(ORDER_CREATED, data, cause).id).not.toBe(createEnvelope(ORDER_CREATED, data, cause).id);
  });

  it("rejects another event's envelope and a different version", () => {
    const envelope = createEnvelope(ORDER_CREATED, data, { correlationId: "r", causationId: "c", source: "orders" });
    expect(validator.validate({ ...envelope, type: "invoice.issued" }, ORDER_CREATED.params)).not.toBe(true);
    expect(validator.validate({ ...envelope, version: 2 }, ORDER_CREATED.params)).not.toBe(true);
    expect(validator.validate(envelope, INVOICE_ISSUED.params)).not.toBe(true);
  });
});
