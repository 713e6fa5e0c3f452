import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CONFIG_VARIABLES } from "../../mixins/config";

/** The README's Environment table documents every variable the configuration reads, and no other but two of OpenTelemetry's. */
describe("README.md's Environment table", () => {
  const readme = readFileSync(join(__dirname, "../../README.md"), "utf8");
  const start = readme.indexOf("### Environment");
  const section = readme.slice(start, readme.indexOf("\n## ", start));
  // The first column of each row names one or more variables.
  const listed = section
    .split("\n")
    .filter((line) => line.startsWith("| `"))
    .flatMap((line) => [...line.split(" | ")[0].matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map(([, name]) => name));

  it("lists every variable the configuration reads", () => {
    expect(CONFIG_VARIABLES.filter((name) => !listed.includes(name))).toEqual([]);
  });

  it("lists no variable the configuration does not read, but those of OpenTelemetry's SDK", () => {
    const readBySdk = ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_SDK_DISABLED"];
    expect(listed.filter((name) => !(CONFIG_VARIABLES as string[]).includes(name) && !readBySdk.includes(name))).toEqual([]);
  });
});
