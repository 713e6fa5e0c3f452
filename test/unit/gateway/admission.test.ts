import { Admission } from "../../../services/gateway/admission";

describe("Admission at the gateway", () => {
  it("lets calls in up to maxInFlight per action, then refuses with 503 OVERLOADED until one is released", () => {
    const admission = new Admission({ maxInFlight: 2, maxWaitMs: 1_000 });
    const [a, b, c] = [{}, {}, {}];
    admission.admit("orders.create", a, 0);
    admission.admit("orders.create", b, 0);
    expect(() => admission.admit("orders.create", c, 0)).toThrow(expect.objectContaining({ code: 503, type: "OVERLOADED", data: expect.objectContaining({ inFlight: 2 }) }));
    admission.admit("orders.list", c, 0);
    admission.release("orders.create", a);
    expect(() => admission.admit("orders.create", c, 1)).not.toThrow();
  });

  it("refuses while the oldest call in flight has waited maxWaitMs, and admits again once it is answered", () => {
    const admission = new Admission({ maxInFlight: 100, maxWaitMs: 1_000 });
    const [slow, quick, next] = [{}, {}, {}];
    admission.admit("orders.create", slow, 0);
    admission.admit("orders.create", quick, 900);
    expect(() => admission.admit("orders.create", next, 1_000)).toThrow(expect.objectContaining({ type: "OVERLOADED", data: expect.objectContaining({ oldestWaitMs: 1_000 }) }));
    admission.release("orders.create", slow);
    expect(() => admission.admit("orders.create", next, 1_000)).not.toThrow();
  });
});
