import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import amqp from "amqplib";
import pg from "pg";

/**
 * The yardstick of `npm run bench -- --compare`, not part of the product: orders and invoices as a
 * first version would have them (the shape of the course project this one grows out of). `POST /orders`
 * parses the body, INSERTs the order and publishes it unconfirmed; a consumer INSERTs the invoice. No
 * validation, outbox, idempotency, acknowledgement back to orders or gateway hop.
 *
 *   node dist/scripts/plain-service.js orders|invoices    (DATABASE_URL, AMQP_URL, QUEUE; PORT for orders)
 */
const { DATABASE_URL, AMQP_URL, QUEUE, PORT } = process.env as Record<string, string>;

interface Item {
  sku: string;
  description?: string;
  quantity: number;
  unitPrice: number;
}

async function connect() {
  const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 10 });
  const connection = await amqp.connect(AMQP_URL, { noDelay: true });
  const channel = await connection.createChannel();
  // Gone with its consumer at the end of the run.
  await channel.assertQueue(QUEUE, { durable: false, autoDelete: true });
  process.once("SIGTERM", () => void connection.close().finally(() => pool.end().finally(() => process.exit(0))));
  return { pool, channel };
}

async function orders(): Promise<void> {
  const { pool, channel } = await connect();
  const server = createServer(async (req, res) => {
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk);
      const body = JSON.parse(Buffer.concat(chunks).toString());
      const items = (body.items as Item[]).map((item) => ({ ...item, total: item.quantity * item.unitPrice }));
      const total = items.reduce((sum, item) => sum + item.total, 0);
      const { rows } = await pool.query(
        `INSERT INTO orders (id, customer_id, customer, currency, items, total) VALUES ($1, $2, $3, $4, $5, $6)
         RETURNING id, customer_id, customer, currency, items, total, status, created_at`,
        [randomUUID(), body.customerId, body.customer, body.currency, JSON.stringify(items), total],
      );
      channel.sendToQueue(QUEUE, Buffer.from(JSON.stringify(rows[0])));
      res.writeHead(201, { "content-type": "application/json" }).end(JSON.stringify(rows[0]));
    } catch {
      res.writeHead(500).end();
    }
  });
  server.listen(Number(PORT), "127.0.0.1");
}

async function invoices(): Promise<void> {
  const { pool, channel } = await connect();
  await channel.prefetch(100);
  await channel.consume(QUEUE, async (message) => {
    if (!message) return;
    const order = JSON.parse(message.content.toString());
    await pool.query("INSERT INTO invoices (id, order_id, total) VALUES ($1, $2, $3) ON CONFLICT (order_id) DO NOTHING", [
      randomUUID(),
      order.id,
      order.total,
    ]);
    channel.ack(message);
  });
}

/** The tables both processes write; `settle` reads orders' and invoices' ids and creation times. */
export const PLAIN_SCHEMA = {
  orders: `CREATE TABLE orders (id uuid PRIMARY KEY, customer_id text NOT NULL, customer jsonb NOT NULL, currency text NOT NULL,
    items jsonb NOT NULL, total bigint NOT NULL, status text NOT NULL DEFAULT 'pending', created_at timestamptz NOT NULL DEFAULT now())`,
  invoices: `CREATE TABLE invoices (id uuid PRIMARY KEY, order_id uuid NOT NULL UNIQUE, total bigint NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now())`,
};

if (require.main === module) {
  const role = process.argv[2];
  (role === "orders" ? orders() : invoices()).catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
