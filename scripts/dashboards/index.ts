import type { Dashboard } from "@grafana/grafana-foundation-sdk/dashboard";
import { nodesDashboard } from "./nodes";
import { pipelineDashboard } from "./pipeline";

/** Every dashboard Grafana is provisioned with, by the file it is written to (docker/grafana/dashboards). */
export function dashboards(): Record<string, Dashboard> {
  return {
    "pipeline.json": pipelineDashboard().build(),
    "nodes.json": nodesDashboard().build(),
  };
}
