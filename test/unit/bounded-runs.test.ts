import { boundedBatches, nextRunLength } from "../../mixins/units/bounded-runs";

const size = (n: number) => n;

describe("boundedBatches", () => {
  it("keeps order, cuts at the count or the bytes, and lets an oversized item go alone", () => {
    expect(boundedBatches([1, 1, 1, 5, 2, 2, 9, 1], size, 3, 4)).toEqual([[1, 1, 1], [5], [2, 2], [9], [1]]);
    expect(boundedBatches([], size, 3, 4)).toEqual([]);
  });
});

describe("nextRunLength", () => {
  it("measures the run starting where asked, and only as far as it goes", () => {
    const measured: number[] = [];
    const sizeNoting = (n: number) => {
      measured.push(n);
      return n;
    };
    expect(nextRunLength([9, 2, 2, 1, 7, 7], sizeNoting, 10, 5, 1)).toBe(3);
    expect(measured).toEqual([2, 2, 1, 7]);
    expect(nextRunLength([1, 1, 1], size, 10, Infinity)).toBe(3);
    expect(nextRunLength([1, 1, 1], size, 10, 4, 3)).toBe(0);
    // a run takes its first item whatever the bounds, so that a queue always moves on
    expect(nextRunLength([9, 1], size, 0, 4)).toBe(1);
  });
});
