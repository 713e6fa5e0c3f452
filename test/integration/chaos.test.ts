import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CHAOS_ENV, runChaos } from "../../scripts/chaos-run";
import { type LocalCluster, startLocalCluster } from "../../scripts/local-cluster";
import { runId, TEST_POSTGRES_URL } from "../support/environment";
import { freePort } from "../support/ports";
import { createVhost, deleteVhost } from "../support/rabbitmq";

/**
 * A short randomized run of `npm run chaos` (scripts/chaos-run.ts): random clients and node kills over
 * RabbitMQ, then every invariant checked at rest. A fresh seed each run, printed; CHAOS_SEED replays one.
 */
const SECONDS = Number(process.env.CHAOS_SECONDS ?? 25);
const seed = Number(process.env.CHAOS_SEED ?? Math.floor(Math.random() * 2 ** 31));
const vhost = runId();
let cluster: LocalCluster | undefined;

afterAll(async () => {
  await cluster?.stop();
  await deleteVhost(vhost);
});

it(`keeps the promise through random clients and node kills (seed ${seed}; replay: CHAOS_SEED=${seed})`, async () => {
  const logDir = mkdtempSync(join(tmpdir(), "orders-invoices-chaos-"));
  console.log(`chaos: seed ${seed}, ${SECONDS} s; node logs in ${logDir}`);
  cluster = await startLocalCluster({
    name: vhost,
    postgresUrl: TEST_POSTGRES_URL,
    transporter: await createVhost(vhost),
    port: await freePort(),
    ordersNodes: 1,
    invoicesNodes: 1,
    env: CHAOS_ENV,
    logDir,
  });
  const report = await runChaos(cluster, {
    seconds: SECONDS,
    seed,
    clients: 8,
    killable: ["api", "orders-1", "invoices-1"],
    log: () => undefined,
  });
  console.log(JSON.stringify(report));
  expect(report.violations).toEqual([]);
  expect(report.kills).toBeGreaterThan(0);
}, 300_000);
