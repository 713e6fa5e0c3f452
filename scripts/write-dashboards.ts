import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { dashboards } from "./dashboards";

/**
 * `npm run dashboards`: writes the dashboards defined in scripts/dashboards as the JSON files Grafana
 * is provisioned with. The files are generated, never edited by hand (a test holds them to the code).
 */
const DASHBOARDS_DIR = join(__dirname, "..", "..", "docker", "grafana", "dashboards"); // from dist/scripts

/** A dashboard as written: 2-space JSON and a final newline. */
export const dashboardJson = (dashboard: unknown) => `${JSON.stringify(dashboard, null, 2)}\n`;

if (require.main === module) {
  mkdirSync(DASHBOARDS_DIR, { recursive: true });
  for (const [file, dashboard] of Object.entries(dashboards())) writeFileSync(join(DASHBOARDS_DIR, file), dashboardJson(dashboard));
}
