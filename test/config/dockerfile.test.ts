import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { NODE_FLAGS } from "../../scripts/moleculer-node";

/**
 * The Dockerfile, read as instructions (no Docker engine here): a build stage that compiles, a slim
 * production stage that runs moleculer-runner as a non-root user, and paths that match the build.
 */
const root = join(__dirname, "..", "..");

interface Instruction {
  keyword: string;
  args: string;
}
/** Instructions grouped by stage; continuation lines joined, comments and the parser directive dropped. */
function stages(dockerfile: string): { from: string; instructions: Instruction[] }[] {
  const lines = dockerfile
    .replace(/\\\r?\n/g, " ")
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"));
  const result: { from: string; instructions: Instruction[] }[] = [];
  for (const line of lines) {
    const [, keyword, args] = /^(\S+)\s+(.*)$/.exec(line)!;
    if (keyword.toUpperCase() === "FROM") result.push({ from: args, instructions: [] });
    else result.at(-1)!.instructions.push({ keyword: keyword.toUpperCase(), args: args.replace(/\s+/g, " ") });
  }
  return result;
}

const dockerfile = stages(readFileSync(join(root, "Dockerfile"), "utf8"));
const [build, runtime] = [dockerfile[0], dockerfile.at(-1)!];
const args = (stage: typeof build, keyword: string) => stage.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);
/** ENV in both forms (`ENV A=1 B=2`, `ENV A 1`), as a map. */
const envOf = (stage: typeof build) =>
  Object.fromEntries(
    args(stage, "ENV").flatMap((a) => (a.includes("=") ? [...a.matchAll(/(\w+)=(\S+)/g)].map((m) => [m[1], m[2]]) : [a.split(" ")])),
  );

describe("Dockerfile", () => {
  it("builds on Node 24 slim in two stages", () => {
    expect(dockerfile).toHaveLength(2);
    expect(build.from).toMatch(/^node:24-slim AS build$/i);
    expect(runtime.from).toMatch(/^node:24-slim\b/);
  });

  it("compiles the TypeScript with all dependencies from the lockfile in the build stage", () => {
    const runs = args(build, "RUN").join(" && ");
    expect(runs).toMatch(/\bnpm ci\b/);
    expect(runs).not.toMatch(/--omit=dev/);
    expect(runs).toMatch(/\bnpm run build\b/);
  });

  it("ships production dependencies and the compiled dist/ only, in production mode", () => {
    expect(args(runtime, "RUN").join(" && ")).toMatch(/\bnpm ci --omit=dev\b/);
    expect(args(runtime, "COPY")).toEqual([
      "package.json package-lock.json ./",
      "--from=build /app/dist ./dist",
      "docker/healthcheck.js ./docker/healthcheck.js",
    ]);
    expect(envOf(runtime).NODE_ENV).toBe("production");
  });

  it("runs as a non-root user", () => {
    const users = args(runtime, "USER");
    expect(users).toHaveLength(1);
    expect(users[0]).not.toMatch(/^(root|0)(:|$)/);
  });

  it("starts moleculer-runner on the compiled config, with SERVICES choosing the services from dist/services", () => {
    const [cmd] = args(runtime, "CMD");
    expect(args(runtime, "ENTRYPOINT")).toEqual([]);
    const argv: string[] = JSON.parse(cmd); // exec form: the runner is PID 1 and gets SIGTERM itself
    // V8's flags as `npm start` passes them, then the telemetry preload, compiled from
    // scripts/telemetry.ts, before the runner loads anything
    expect(argv.slice(0, 4 + NODE_FLAGS.length)).toEqual([
      "node",
      ...NODE_FLAGS,
      "--require",
      "./dist/scripts/telemetry.js",
      "node_modules/moleculer/bin/moleculer-runner.js",
    ]);
    expect(existsSync(join(root, "scripts", "telemetry.ts"))).toBe(true);
    expect(existsSync(join(root, argv[NODE_FLAGS.length + 3]))).toBe(true);
    const config = argv[argv.indexOf("--config") + 1];
    expect(config).toBe("dist/moleculer.config.js");
    // tsconfig.build.json compiles moleculer.config.ts and services/ from the root into dist/.
    const tsconfig = JSON.parse(readFileSync(join(root, "tsconfig.json"), "utf8")).compilerOptions;
    expect({ outDir: tsconfig.outDir, rootDir: tsconfig.rootDir }).toEqual({ outDir: "dist", rootDir: "." });
    expect(existsSync(join(root, "moleculer.config.ts"))).toBe(true);
    expect(envOf(runtime).SERVICEDIR).toBe("dist/services");
  });

  it("checks health with the script it copies in", () => {
    const [healthcheck] = args(runtime, "HEALTHCHECK");
    const argv: string[] = JSON.parse(healthcheck.slice(healthcheck.indexOf("CMD") + 3));
    expect(argv).toEqual(["node", "docker/healthcheck.js"]);
  });

  it("keeps dependencies and build output out of the build context", () => {
    const ignored = readFileSync(join(root, ".dockerignore"), "utf8")
      .split("\n")
      .map((l) => l.trim());
    expect(ignored).toEqual(expect.arrayContaining(["**/node_modules", "dist", ".git", "infra"]));
    expect(ignored).not.toContain("docker/healthcheck.js");
  });
});
