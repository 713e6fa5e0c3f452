import { inspect } from "node:util";
import type { ServiceBroker } from "moleculer";
import type { Invoice } from "../contracts/invoices";
import type { Order } from "../contracts/orders";
import type { Page } from "../contracts/paging";

/** Operator shortcuts for `npm run repl` (moleculer-repl custom commands). */
interface ReplCommand {
  command: string;
  description: string;
  // biome-ignore lint/suspicious/noExplicitAny: moleculer's typings say string[]; moleculer-repl passes the parsed `<arguments>` by name.
  action(broker: ServiceBroker, args: any): Promise<void>;
}

const print = (value: unknown) => console.log(inspect(value, { depth: null, colors: process.stdout.isTTY }));

export const replCommands: ReplCommand[] = [
  {
    command: "order <id>",
    description: "An order with its invoice",
    async action(broker, { id }: { id: string }) {
      const order: Order = await broker.call("orders.get", { id });
      const invoices: Page<Invoice> = await broker.call("invoices.list", { orderId: id });
      print({ order, invoice: invoices.rows[0] ?? null });
    },
  },
  {
    command: "consistency",
    description: "Per service: outbox messages pending (and the oldest's age), parked; orders without invoice",
    async action(broker) {
      const [orders, invoices] = await Promise.all([broker.call("orders.consistencyReport"), broker.call("invoices.consistencyReport")]);
      print({ orders, invoices });
    },
  },
];
