import autocannon from "autocannon";
import { MAX_COUNTED } from "../contracts/paging";
import { statusCounts } from "./bench-measure";
import { seededIds } from "./bench-seed";

/**
 * Reads at a steady, modest rate (`--seed-rows`): a GET by id of random seeded rows, and for each list
 * its first page (its rows counted up to MAX_COUNTED), a customer's first page and a page deep in the list by cursor. What
 * a client sees while the tables are big: each one's latency percentiles.
 */
export interface ReadLatency {
  p50: number;
  p99: number;
  statuses: Record<string, number>;
}

const RATE = 50;

function measure(url: string, paths: string[], seconds: number): Promise<ReadLatency> {
  return new Promise((resolve, reject) => {
    let next = 0;
    const nextPath = (request: autocannon.Request) => ({ ...request, path: paths[next++ % paths.length] });
    // autocannon's correction for coordinated omission assumes one request per ceil(1 / rate) ms, 1 ms
    // here, and adds a made-up sample per millisecond of every answer slower than that: the p99 it gives
    // is mostly those. Each answer's own time is what is measured here.
    const options = { url, connections: 5, overallRate: RATE, duration: seconds, ignoreCoordinatedOmission: true };
    autocannon({ ...options, requests: [{ setupRequest: nextPath }] }, (err, result) => {
      if (err) return reject(err);
      resolve({ p50: result.latency.p50, p99: result.latency.p99, statuses: statusCounts(result) });
    });
  });
}

export async function readLatencies(
  url: string,
  databases: { orders: string; invoices: string },
  rows: number,
  seconds: number,
): Promise<Record<string, ReadLatency>> {
  const random = Array.from({ length: 500 }, () => 1 + Math.floor(Math.random() * rows));
  const deep = Math.max(1, Math.floor(rows * 0.9));
  const results: Record<string, ReadLatency> = {};
  for (const kind of ["order", "invoice"] as const) {
    const list = `/${kind}s`;
    const database = databases[`${kind}s`];
    const [deepId] = await seededIds(database, kind, [deep]);
    const scenarios: Record<string, string[]> = {
      [`GET ${list}/:id`]: (await seededIds(database, kind, random)).map((id) => `${list}/${id}`),
      [`GET ${list} (first page, counted to ${MAX_COUNTED.toLocaleString("en")})`]: [list],
      [`GET ${list}?customerId= (first page)`]: random.map((i) => `${list}?customerId=cust-${i % 10_000}`),
      [`GET ${list}?starting_after= (row ${deep.toLocaleString("en")})`]: [`${list}?starting_after=${deepId}`],
    };
    for (const [name, paths] of Object.entries(scenarios)) results[name] = await measure(url, paths, seconds);
  }
  return results;
}
