/**
 * How many messages a relay has sent that no consumer has answered yet (acknowledged or rejected),
 * counted per consumer group: a message sent to two groups counts twice. Answers are counted, not
 * matched to sends: a producer's answers are balanced among its nodes, so with several nodes each
 * hears about its share. A send nobody answered within `leaseMs` no longer counts: its row is due again
 * by then, and the relay sends it again.
 */
export class InFlight {
  /** oldest first: each send's count still unanswered, and when it stops counting */
  private readonly sends: Array<{ count: number; until: number }> = [];

  constructor(
    private readonly leaseMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  sent(count: number): void {
    if (count > 0) this.sends.push({ count, until: this.now() + this.leaseMs });
  }

  /** Consumers answered `count` messages: the oldest sends are settled first. */
  answered(count: number): void {
    let left = count;
    while (left > 0 && this.sends.length > 0) {
      const oldest = this.sends[0];
      const settled = Math.min(left, oldest.count);
      oldest.count -= settled;
      left -= settled;
      if (oldest.count === 0) this.sends.shift();
    }
  }

  get size(): number {
    const now = this.now();
    while (this.sends.length > 0 && this.sends[0].until <= now) this.sends.shift();
    return this.sends.reduce((sum, send) => sum + send.count, 0);
  }
}
