import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { eventually } from "./eventually";
import { freePort } from "./ports";

export interface PrometheusServer {
  /** its base URL, for the HTTP API beyond queries */
  url: string;
  /** The result of an instant query: one entry per series. */
  query(expr: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>>;
  stop(): Promise<void>;
}

/**
 * A real Prometheus (Debian's `prometheus` package) scraping `targets` every second as job `nodes`,
 * each target labelled with its role as the compose configuration labels them, with `ruleFiles`
 * loaded and `otherJobs` scraped too. Its data lives in a temporary folder, removed on stop.
 */
export async function startPrometheus(
  targets: Record<string, number>,
  { ruleFiles = [], otherJobs = [] }: { ruleFiles?: string[]; otherJobs?: object[] } = {},
): Promise<PrometheusServer> {
  const dir = mkdtempSync(join(tmpdir(), "prometheus-"));
  const config = {
    global: { scrape_interval: "1s", evaluation_interval: "1s" },
    rule_files: ruleFiles,
    scrape_configs: [
      {
        job_name: "nodes",
        static_configs: Object.entries(targets).map(([role, port]) => ({ targets: [`127.0.0.1:${port}`], labels: { role } })),
      },
      ...otherJobs,
    ],
  };
  writeFileSync(join(dir, "prometheus.yml"), stringify(config));
  const port = await freePort();
  const child: ChildProcess = spawn(
    "prometheus",
    [`--config.file=${join(dir, "prometheus.yml")}`, `--storage.tsdb.path=${join(dir, "data")}`, `--web.listen-address=127.0.0.1:${port}`],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const api = `http://127.0.0.1:${port}/api/v1`;
  await eventually(async () => {
    if (child.exitCode !== null) throw new Error(`Prometheus exited (apt-get install prometheus):\n${output}`);
    const ready = await fetch(`http://127.0.0.1:${port}/-/ready`);
    if (!ready.ok) throw new Error(`Prometheus not ready: ${ready.status}`);
  });
  return {
    url: `http://127.0.0.1:${port}`,
    async query(expr) {
      const answer = (await (await fetch(`${api}/query?query=${encodeURIComponent(expr)}`)).json()) as any;
      if (answer.status !== "success") throw new Error(`${expr}: ${answer.error}`);
      return answer.data.result;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        const done = () => {
          rmSync(dir, { recursive: true, force: true });
          resolve();
        };
        if (child.exitCode !== null) return done();
        child.once("exit", done);
        child.kill("SIGTERM");
      }),
  };
}
