import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

/**
 * docker/prometheus/, checked by Prometheus' own tool (Debian's `prometheus` package; `.ci/run` installs it):
 * the configuration and the alert rules load, and every alert fires, and stays quiet, as its cases in
 * alerts.test.yml say. Each alert has its runbook entry in the README.
 */
const root = join(__dirname, "..", "..");
const dir = join(root, "docker", "prometheus");

function promtool(...args: string[]) {
  const result = spawnSync("promtool", args, { cwd: dir, encoding: "utf8" });
  if (result.error) throw new Error(`promtool is not installed (apt-get install prometheus): ${result.error.message}`);
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

const alerts: string[] = parse(readFileSync(join(dir, "alerts.yml"), "utf8")).groups.flatMap(
  (group: { rules: Array<{ alert?: string }> }) => group.rules.flatMap((rule) => (rule.alert ? [rule.alert] : [])),
);

it("loads the configuration and its rule files", () => {
  const { status, output } = promtool("check", "config", "prometheus.yml");
  expect(output).toContain("SUCCESS: prometheus.yml is valid prometheus config file syntax");
  expect(status).toBe(0);
});

it("fires each alert, and keeps it quiet, as alerts.test.yml says", () => {
  const { status, output } = promtool("test", "rules", "alerts.test.yml");
  expect(output).toContain("SUCCESS");
  expect(status).toBe(0);
});

it("tests every alert, firing", () => {
  const tests = parse(readFileSync(join(dir, "alerts.test.yml"), "utf8")).tests as Array<{
    alert_rule_test: Array<{ alertname: string; exp_alerts: unknown[] }>;
  }>;
  const firing = new Set(tests.flatMap((test) => test.alert_rule_test.filter((c) => c.exp_alerts.length > 0).map((c) => c.alertname)));
  expect([...firing].sort()).toEqual([...alerts].sort());
});

it("gives every alert a runbook entry in the README", () => {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("### Alerts and their runbooks"));
  for (const alert of alerts) expect(section).toMatch(new RegExp(`^- \\*\\*${alert}\\*\\*`, "m"));
});
