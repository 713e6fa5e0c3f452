import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eventually } from "./eventually";
import { freePort } from "./ports";

/** One problem Stoplight Prism found in a request or a response against the document. */
export interface Violation {
  location: string[];
  severity: string;
  code?: string | number;
  message: string;
}

export interface PrismProxy {
  baseUrl: string;
  stop(): Promise<void>;
}

const CLI = join(__dirname, "../../node_modules/@stoplight/prism-cli/dist/index.js");

/**
 * Stoplight Prism as a validating proxy in front of `upstream`: every request and response that
 * passes through is checked against `document`, and what breaks it comes back in the response's
 * `sl-violations` header.
 */
export async function startPrism(document: unknown, upstream: string): Promise<PrismProxy> {
  const file = join(mkdtempSync(join(tmpdir(), "prism-")), "openapi.json");
  writeFileSync(file, JSON.stringify(document));
  const port = await freePort();
  const child: ChildProcess = spawn(
    process.execPath,
    [CLI, "proxy", file, upstream, "--port", String(port), "--cors=false", "--errors=false", "-v", "warn"],
    {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, SCARF_ANALYTICS: "false" },
    },
  );
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const baseUrl = `http://127.0.0.1:${port}`;
  await eventually(async () => {
    if (child.exitCode !== null) throw new Error(`Prism exited:\n${output}`);
    await fetch(`${baseUrl}/health`);
  });
  return {
    baseUrl,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

/** The violations Prism reported for one exchange, from its `sl-violations` response header. */
export function violationsOf(header: string | string[] | undefined): Violation[] {
  return typeof header === "string" ? (JSON.parse(header) as Violation[]) : [];
}
