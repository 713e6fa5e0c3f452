/**
 * How many of `items`, from `start`, make the next run of at most `maxCount` items and `maxBytes`
 * bytes (`sizeOf` each). An item bigger than `maxBytes` on its own makes a run of one.
 */
export function nextRunLength<T>(items: readonly T[], sizeOf: (item: T) => number, maxCount: number, maxBytes: number, start = 0): number {
  let end = start;
  let bytes = 0;
  while (end < items.length) {
    const size = sizeOf(items[end]);
    // A run always takes its first item, whatever the bounds.
    if (end > start && (end - start >= maxCount || bytes + size > maxBytes)) break;
    bytes += size;
    end++;
  }
  return end - start;
}

/** `items` split into runs of at most `maxCount` items and `maxBytes` bytes, in order. */
export function boundedBatches<T>(items: readonly T[], sizeOf: (item: T) => number, maxCount: number, maxBytes: number): T[][] {
  const runs: T[][] = [];
  for (let start = 0; start < items.length; ) {
    const length = nextRunLength(items, sizeOf, maxCount, maxBytes, start);
    runs.push(items.slice(start, start + length));
    start += length;
  }
  return runs;
}
