import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ERRORS } from "../../services/gateway/error-catalogue";

/** The README's Errors table is the catalogue GET /openapi.json is built from, row for row. */
describe("README.md's Errors table", () => {
  it("lists exactly the catalogue's errors, with their statuses and meanings", () => {
    const readme = readFileSync(join(__dirname, "../../README.md"), "utf8");
    const section = readme.slice(readme.indexOf("### Errors"), readme.indexOf("\n## ", readme.indexOf("### Errors")));
    const rows = [...section.matchAll(/^\| (\d{3}) \| `([A-Z_]+)` \| (.+) \|$/gm)].map(([, status, type, when]) => ({
      status: Number(status),
      type,
      when,
    }));
    const catalogue = Object.entries(ERRORS).map(([type, { status, when }]) => ({ status, type, when }));
    expect(rows).toEqual(catalogue);
  });
});
