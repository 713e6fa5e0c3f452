import { nextRunLength } from "./bounded-runs";

/** Per item of a batch: its result, or the error that item alone fails with. */
export type Outcomes<V> = Array<{ value: V } | { error: unknown }>;

/**
 * Group commit: items that arrive while a batch is being applied wait, and go together as the next
 * batch (at most `maxSize` items, and `bytes.max` bytes when given, each item weighed as it arrives);
 * a lone item on an idle queue goes at once, on the next turn of the event loop. One batch at a time,
 * so the queue forms batches by itself under load and adds no delay without it. DataLoader batches
 * per tick too, but runs its batches concurrently.
 */
export class GroupCommit<K, V> {
  private waiting: Array<{ key: K; bytes: number; resolve: (value: V) => void; reject: (err: unknown) => void }> = [];
  private draining = false;

  constructor(
    private readonly apply: (keys: K[]) => Promise<Outcomes<V>>,
    private readonly maxSize: number,
    private readonly bytes: { max: number; of: (key: K) => number } = { max: Infinity, of: () => 0 },
  ) {}

  add(key: K): Promise<V> {
    return new Promise<V>((resolve, reject) => {
      this.waiting.push({ key, bytes: this.bytes.of(key), resolve, reject });
      if (!this.draining) {
        this.draining = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.waiting.length > 0) {
      const length = nextRunLength(this.waiting, (item) => item.bytes, this.maxSize, this.bytes.max);
      const batch = this.waiting.splice(0, length);
      try {
        const outcomes = await this.apply(batch.map((item) => item.key));
        batch.forEach((item, i) => {
          const outcome = outcomes[i];
          if ("error" in outcome) item.reject(outcome.error);
          else item.resolve(outcome.value);
        });
      } catch (err) {
        for (const item of batch) item.reject(err);
      }
    }
    this.draining = false;
  }
}
