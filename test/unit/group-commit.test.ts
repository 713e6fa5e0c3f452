import { GroupCommit, type Outcomes } from "../../mixins/units/group-commit";

/** A GroupCommit whose batches are recorded, each held open until `release()`. */
function recorder(maxSize = 10, bytes?: { max: number; of: (key: number) => number }) {
  const batches: number[][] = [];
  let release: () => void = () => undefined;
  const commit = new GroupCommit<number, number>(
    async (keys) => {
      batches.push(keys);
      await new Promise<void>((resolve) => (release = resolve));
      return keys.map((key): Outcomes<number>[number] => (key < 0 ? { error: new Error(`bad ${key}`) } : { value: key * 10 }));
    },
    maxSize,
    bytes,
  );
  return { commit, batches, release: () => release() };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe("GroupCommit", () => {
  it("applies a lone item at once, and what arrives meanwhile as the next batch", async () => {
    const { commit, batches, release } = recorder();
    const first = commit.add(1);
    await turn();
    expect(batches).toEqual([[1]]);
    const later = [commit.add(2), commit.add(3), commit.add(4)];
    await turn();
    expect(batches).toEqual([[1]]);
    release();
    await expect(first).resolves.toBe(10);
    await turn();
    expect(batches).toEqual([[1], [2, 3, 4]]);
    release();
    await expect(Promise.all(later)).resolves.toEqual([20, 30, 40]);
  });

  it("splits at the maximum size", async () => {
    const { commit, batches, release } = recorder(2);
    const all = [1, 2, 3].map((key) => commit.add(key));
    await turn();
    release();
    await turn();
    release();
    await expect(Promise.all(all)).resolves.toEqual([10, 20, 30]);
    expect(batches).toEqual([[1, 2], [3]]);
  });

  it("splits at the maximum bytes too, and lets an item bigger than that go alone", async () => {
    const { commit, batches, release } = recorder(10, { max: 50, of: (key) => key });
    const all = [0, 20, 20, 20, 60, 5].map((key) => commit.add(key));
    for (let batch = 0; batch < 4; batch++) {
      await turn();
      release();
    }
    await expect(Promise.all(all)).resolves.toEqual([0, 200, 200, 200, 600, 50]);
    expect(batches).toEqual([[0, 20, 20], [20], [60], [5]]);
  });

  it("fails only the items whose outcome is an error", async () => {
    const { commit, release } = recorder();
    const good = commit.add(1);
    const bad = commit.add(-1);
    await turn();
    release();
    await expect(good).resolves.toBe(10);
    await expect(bad).rejects.toThrow("bad -1");
  });

  it("fails the whole batch when applying it throws, and goes on with the next", async () => {
    let calls = 0;
    const commit = new GroupCommit<number, number>(async (keys) => {
      if (calls++ === 0) throw new Error("down");
      return keys.map((key) => ({ value: key }));
    }, 10);
    await expect(Promise.all([commit.add(1), commit.add(2)])).rejects.toThrow("down");
    await expect(commit.add(3)).resolves.toBe(3);
  });
});
