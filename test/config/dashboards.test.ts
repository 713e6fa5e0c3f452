import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { dashboards } from "../../scripts/dashboards";
import { dashboardJson } from "../../scripts/write-dashboards";

/**
 * The dashboards Grafana is provisioned with are generated from scripts/dashboards and never edited by
 * hand; each panel reads a data source Grafana is provisioned with. (Every panel's query runs against
 * a real Prometheus scraping real nodes in test/integration/prometheus-scrape.test.ts.)
 */
const dir = join(__dirname, "..", "..", "docker", "grafana");
const generated = dashboards();

it("holds exactly the generated dashboards: `npm run dashboards` writes them", () => {
  expect(readdirSync(join(dir, "dashboards")).sort()).toEqual(Object.keys(generated).sort());
  for (const [file, dashboard] of Object.entries(generated)) {
    expect({ file, json: readFileSync(join(dir, "dashboards", file), "utf8") }).toEqual({ file, json: dashboardJson(dashboard) });
  }
});

it("reads only data sources Grafana is provisioned with", () => {
  const provisioned = parse(readFileSync(join(dir, "provisioning", "datasources", "datasources.yml"), "utf8")).datasources.map(
    (source: { uid: string }) => source.uid,
  );
  const used = Object.values(generated).flatMap((dashboard) =>
    (dashboard.panels ?? []).flatMap((panel) => [
      (panel as { datasource?: { uid?: string } }).datasource?.uid,
      ...((panel as { targets?: Array<{ datasource?: { uid?: string } }> }).targets ?? []).map((target) => target.datasource?.uid),
    ]),
  );
  expect(used.length).toBeGreaterThan(0);
  for (const uid of used) expect(provisioned).toContain(uid);
});
