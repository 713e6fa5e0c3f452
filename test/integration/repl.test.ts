import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { once } from "node:events";
import { stripVTControlCharacters } from "node:util";
import { type Cluster, startCluster } from "../support/cluster";
import { eventually } from "../support/eventually";

let cluster: Cluster;
let repl: ChildProcessWithoutNullStreams;
let output = "";

beforeAll(async () => {
  cluster = await startCluster();
  // Exactly what a developer types, pointed at this cluster's RabbitMQ vhost and namespace.
  repl = spawn("npm", ["run", "--silent", "repl"], { env: { ...cluster.env, NODE_ID: `repl-${cluster.id}` } });
  const collect = (chunk: Buffer) => (output += chunk.toString());
  repl.stdout.on("data", collect);
  repl.stderr.on("data", collect);
});

afterAll(async () => {
  if (repl && repl.exitCode === null) {
    const exited = once(repl, "exit");
    repl.stdin.write("quit\n");
    await exited;
  }
  await cluster?.stop();
});

/** Types a command at the `mol $` prompt and waits for the output to match. */
async function type(command: string, expected: RegExp): Promise<string> {
  const from = output.length;
  repl.stdin.write(`${command}\n`);
  return eventually(async () => {
    const answer = stripVTControlCharacters(output.slice(from));
    expect(answer).toMatch(expected);
    return answer;
  });
}

describe("npm run repl", () => {
  it("joins the running cluster and sees its nodes", async () => {
    await eventually(async () => expect(stripVTControlCharacters(output)).toMatch(/mol \$/));
    await eventually(async () => {
      const answer = await type("nodes", /repl-/);
      for (const role of ["api", "orders", "invoices"]) expect(answer).toMatch(new RegExp(`${role}-\\S+\\s.*ONLINE`));
    });
  });

  it("calls actions: orders.create, orders.get and invoices.find", async () => {
    const order = {
      customerId: "repl-user",
      customer: { name: "Grace Hopper", email: "grace@example.com" },
      currency: "USD",
      items: [{ sku: "COBOL", quantity: 1, unitPrice: 4200 }],
    };
    const created = await type(`call orders.create '${JSON.stringify(order)}'`, /Response:[\s\S]*status: '?pending/);
    const id = created.match(/id: '([0-9a-f-]{36})'/)![1];

    await type(`call orders.get --id ${id}`, new RegExp(`id: '${id}'`));

    await eventually(async () => {
      await type(`call invoices.find '{"query":{"orderId":"${id}"}}'`, /number: 'INV-\d{4}-\d{6}'/);
    });

    // The project's own commands.
    const both = await type(`order ${id}`, /invoice: \{[\s\S]*number: 'INV-/);
    expect(both).toContain(`orderId: '${id}'`);
    await type("consistency", /orders: \{[\s\S]*ordersWithoutInvoice: 0[\s\S]*invoices: \{[\s\S]*parked: 0/);
  });
});
