import { spawn } from "node:child_process";
import { once } from "node:events";
import { type Backoff, nextRestart, supervisor } from "../../scripts/supervisor";
import { eventually } from "../support/eventually";

describe("nextRestart", () => {
  const backoff: Backoff = { initialMs: 1_000, maxMs: 30_000, resetAfterMs: 60_000 };

  it("doubles the wait with each quick death, up to the cap", () => {
    const waits: number[] = [];
    let quickDeaths = 0;
    for (let death = 0; death < 8; death++) {
      const next = nextRestart(quickDeaths, 500, backoff);
      waits.push(next.delayMs);
      quickDeaths = next.quickDeaths;
    }
    expect(waits).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
    expect(nextRestart(5_000, 0, backoff).delayMs).toBe(30_000);
  });

  it("starts over for a child that stayed up long enough", () => {
    expect(nextRestart(4, 59_999, backoff)).toEqual({ delayMs: 16_000, quickDeaths: 5 });
    expect(nextRestart(4, 60_000, backoff)).toEqual({ delayMs: 1_000, quickDeaths: 1 });
  });
});

describe("supervisor", () => {
  const node = (script: string) => () => spawn(process.execPath, ["-e", script], { stdio: "ignore" });
  const isAlive = (pid: number) => {
    try {
      return process.kill(pid, 0);
    } catch {
      return false;
    }
  };

  function supervised(backoff: Partial<Backoff> = {}) {
    const lines: string[] = [];
    const nodes = supervisor({
      backoff: { initialMs: 10, maxMs: 40, resetAfterMs: 60_000, ...backoff },
      log: (line) => lines.push(line),
      warn: (line) => lines.push(line),
    });
    const pids = () => lines.flatMap((line) => /\(pid (\d+)\)/.exec(line)?.[1] ?? []).map(Number);
    return { nodes, lines, pids };
  }

  it("restarts a child that dies, waiting longer each time, and reports each death and start", async () => {
    const { nodes, lines } = supervised();
    nodes.start("crasher", node("process.exit(3)"));
    await eventually(async () => expect(lines.filter((line) => line.includes("died")).length).toBeGreaterThanOrEqual(4));
    await nodes.stop(5_000);
    expect(lines[0]).toMatch(/^crasher started \(pid \d+\)$/);
    expect(lines.slice(1, 8)).toEqual([
      "crasher died (exit code 3); restarting it in 10 ms",
      expect.stringMatching(/^crasher restarted \(pid \d+\)$/),
      "crasher died (exit code 3); restarting it in 20 ms",
      expect.stringMatching(/^crasher restarted \(pid \d+\)$/),
      "crasher died (exit code 3); restarting it in 40 ms",
      expect.stringMatching(/^crasher restarted \(pid \d+\)$/),
      "crasher died (exit code 3); restarting it in 40 ms",
    ]);
  });

  it("restarts a killed child and leaves the others alone", async () => {
    const { nodes, lines, pids } = supervised();
    nodes.start("a", node("setInterval(() => {}, 1000)"));
    nodes.start("b", node("setInterval(() => {}, 1000)"));
    const [a, b] = pids();
    process.kill(a, "SIGKILL");
    await eventually(async () => expect(lines).toContainEqual(expect.stringMatching(/^a restarted/)));
    expect(lines).toContain("a died (SIGKILL); restarting it in 10 ms");
    expect(isAlive(b)).toBe(true);
    const all = pids();
    await nodes.stop(5_000);
    expect(all.filter(isAlive)).toEqual([]);
  });

  it("stop() cancels a restart that is waiting, and nothing starts afterwards", async () => {
    const { nodes, lines } = supervised({ initialMs: 60_000, maxMs: 60_000 });
    nodes.start("crasher", node("process.exit(1)"));
    await eventually(async () => expect(lines).toContain("crasher died (exit code 1); restarting it in 60 s"));
    await nodes.stop(5_000);
    nodes.start("late", node("setInterval(() => {}, 1000)"));
    expect(lines).toHaveLength(2);
  });

  it("stop() sends SIGTERM, then SIGKILL to a child still running after the timeout", async () => {
    const { nodes, lines } = supervised();
    const polite = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
    const stubborn = spawn(process.execPath, ["-e", "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000); console.log('deaf')"], {
      stdio: ["ignore", "pipe", "ignore"],
    });
    nodes.start("polite", () => polite);
    nodes.start("stubborn", () => stubborn);
    await once(stubborn.stdout!, "data");
    await nodes.stop(200);
    expect([polite.signalCode, stubborn.signalCode]).toEqual(["SIGTERM", "SIGKILL"]);
    expect(lines.filter((line) => line.includes("died"))).toEqual([]);
  });
});
