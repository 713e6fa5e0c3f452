import { InFlight } from "../../mixins/messaging/outbox/in-flight";

describe("InFlight", () => {
  it("counts what was sent until it is answered, oldest sends first", () => {
    const inFlight = new InFlight(1_000, () => 0);
    inFlight.sent(100);
    inFlight.sent(0);
    inFlight.sent(50);
    expect(inFlight.size).toBe(150);
    inFlight.answered(120);
    expect(inFlight.size).toBe(30);
    // Answers for more than was sent (another node's sends): nothing goes below zero.
    inFlight.answered(500);
    expect(inFlight.size).toBe(0);
    inFlight.sent(10);
    expect(inFlight.size).toBe(10);
  });

  it("stops counting a send nobody answered once its lease is over", () => {
    let now = 0;
    const inFlight = new InFlight(1_000, () => now);
    inFlight.sent(100);
    now = 600;
    inFlight.sent(50);
    inFlight.answered(30);
    now = 999;
    expect(inFlight.size).toBe(120);
    now = 1_000;
    expect(inFlight.size).toBe(50);
    now = 1_600;
    expect(inFlight.size).toBe(0);
  });
});
