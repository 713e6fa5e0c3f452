import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { TEST_AMQP_URL } from "./environment";

const run = promisify(execFile);

async function rabbitmqctl(...args: string[]): Promise<string> {
  const { stdout } = await run("rabbitmqctl", ["--quiet", ...args]);
  return stdout;
}

/** A vhost of its own per test run, so runs never see each other's queues. */
export async function createVhost(name: string): Promise<string> {
  await rabbitmqctl("add_vhost", name);
  const user = decodeURIComponent(new URL(TEST_AMQP_URL).username || "guest");
  await rabbitmqctl("set_permissions", "-p", name, user, ".*", ".*", ".*");
  const url = new URL(TEST_AMQP_URL);
  url.pathname = `/${encodeURIComponent(name)}`;
  return url.toString();
}

export async function deleteVhost(name: string): Promise<void> {
  await rabbitmqctl("delete_vhost", name);
}

/** `rabbitmqctl list_<kind> <items>` rows of one vhost, as objects. */
async function listInVhost(kind: "connections" | "channels", vhost: string, items: string[]) {
  const out = await rabbitmqctl(`list_${kind}`, "--no-table-headers", "vhost", ...items);
  return out
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((line) => line.split("\t"))
    .filter(([rowVhost]) => rowVhost === vhost)
    .map(([, ...values]) => Object.fromEntries(items.map((item, i) => [item, values[i]])));
}

export const listConnections = (vhost: string) => listInVhost("connections", vhost, ["name", "state"]);
export const listChannels = (vhost: string) => listInVhost("channels", vhost, ["name", "prefetch_count"]);
