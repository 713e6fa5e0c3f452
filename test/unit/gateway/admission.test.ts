import { Admission } from "../../../services/gateway/admission";

describe("Admission at the gateway", () => {
  it("lets calls in up to maxInFlight per action, then refuses with 503 OVERLOADED until one is answered", () => {
    const admission = new Admission({ maxInFlight: 2, maxWaitMs: 1_000 });
    const [a, b, c] = [{}, {}, {}];
    admission.admit("orders.create", a, 0);
    admission.admit("orders.create", b, 0);
    expect(() => admission.admit("orders.create", c, 0)).toThrow(
      expect.objectContaining({ code: 503, type: "OVERLOADED", data: expect.objectContaining({ inFlight: 2 }) }),
    );
    admission.admit("orders.list", c, 0);
    admission.release("orders.create", a, 10);
    expect(() => admission.admit("orders.create", c, 10)).not.toThrow();
  });

  it("refuses while even the fastest answer of the last second took maxWaitMs (a standing queue), until it drains", () => {
    const admission = new Admission({ maxInFlight: 100, maxWaitMs: 500 });
    const calls = Array.from({ length: 4 }, () => ({}));
    for (const call of calls) admission.admit("orders.create", call, 0);
    admission.release("orders.create", calls[0], 600);
    admission.release("orders.create", calls[1], 900);
    // The second that saw only slow answers is over: the next refuses, naming the fastest.
    expect(() => admission.admit("orders.create", {}, 1_000)).toThrow(
      expect.objectContaining({ type: "OVERLOADED", data: expect.objectContaining({ fastestAnswerMs: 600 }) }),
    );
    admission.release("orders.create", calls[2], 1_100);
    expect(() => admission.admit("orders.create", {}, 2_000)).toThrow(
      expect.objectContaining({ type: "OVERLOADED", data: expect.objectContaining({ fastestAnswerMs: 1_100, inFlight: 1 }) }),
    );
    // The last call of the queue is answered: nothing of ours waits any more, and calls come in again at once.
    admission.release("orders.create", calls[3], 2_100);
    expect(() => admission.admit("orders.create", {}, 2_200)).not.toThrow();
  });

  it("lets the next burst in whole once every call is answered, however slow the answers of the second before were", () => {
    const admission = new Admission({ maxInFlight: 100, maxWaitMs: 500 });
    const calls = Array.from({ length: 3 }, () => ({}));
    for (const call of calls) admission.admit("invoices.list", call, 0);
    for (const call of calls) admission.release("invoices.list", call, 2_500);
    for (let i = 0; i < 10; i++) expect(() => admission.admit("invoices.list", {}, 3_600)).not.toThrow();
  });

  it("is not fooled by calls stuck on a dead node while the others are answered quickly", () => {
    const admission = new Admission({ maxInFlight: 100, maxWaitMs: 500 });
    const stuck = {};
    admission.admit("orders.create", stuck, 0);
    for (let t = 0; t < 3_000; t += 100) {
      const quick = {};
      expect(() => admission.admit("orders.create", quick, t)).not.toThrow();
      admission.release("orders.create", quick, t + 20);
    }
  });
});
