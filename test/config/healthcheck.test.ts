import { spawn } from "node:child_process";
import { createServer, type Server } from "node:http";
import { type AddressInfo, connect, createServer as createTcpServer, type Socket } from "node:net";
import { join } from "node:path";

/** docker/healthcheck.js, the image's health check, run as Docker would: exit 0 healthy, 1 not. */
const script = join(__dirname, "..", "..", "docker", "healthcheck.js");

function healthcheck(env: Record<string, string>): Promise<number | null> {
  return new Promise((resolve) => {
    spawn(process.execPath, [script], { env, stdio: "ignore" }).on("exit", (code) => resolve(code));
  });
}
const listen = (server: Server | ReturnType<typeof createTcpServer>) =>
  new Promise<number>((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)));

describe("docker/healthcheck.js", () => {
  let server: Server;
  let status = 200;
  beforeAll(() => {
    server = createServer((req, res) => res.writeHead(req.url === "/health" ? status : 404).end());
  });
  afterAll(() => server.close());

  it("passes the gateway while GET /health answers 2xx", async () => {
    const port = String(await listen(server));
    status = 200;
    expect(await healthcheck({ SERVICES: "api", PORT: port })).toBe(0);
    status = 503;
    expect(await healthcheck({ SERVICES: "api", PORT: port })).toBe(1);
  });

  it("fails the gateway when nothing listens", async () => {
    const closed = createServer();
    const port = String(await listen(closed));
    await new Promise((done) => closed.close(done));
    expect(await healthcheck({ SERVICES: "api", PORT: port })).toBe(1);
  });

  it("passes orders and invoices only while they hold a connection to the broker's port", async () => {
    const sockets: Socket[] = [];
    const broker = createTcpServer((socket) => sockets.push(socket));
    const port = await listen(broker);
    const env = { SERVICES: "orders", TRANSPORTER: `amqp://app:app@127.0.0.1:${port}` };
    expect(await healthcheck(env)).toBe(1);

    const client = connect(port, "127.0.0.1");
    await new Promise((done) => client.once("connect", done));
    expect(await healthcheck(env)).toBe(0);
    expect(await healthcheck({ ...env, SERVICES: "invoices" })).toBe(0);

    client.destroy();
    for (const socket of sockets) socket.destroy();
    await new Promise((done) => broker.close(done));
    expect(await healthcheck({ SERVICES: "orders" })).toBe(1); // no TRANSPORTER: no broker to be connected to
  });
});
