// The image's HEALTHCHECK. One image serves every role, so the check follows SERVICES:
// - the gateway (SERVICES contains "api") must answer GET /health on its port;
// - orders and invoices have no HTTP port, so they are healthy while they hold an established TCP
//   connection to the broker named by TRANSPORTER: a node that lost RabbitMQ can neither answer calls
//   nor receive events. The kernel's socket table (/proc/net/tcp*) shows it without touching the broker.

const { readFileSync } = require("node:fs");

const env = process.env;
const exit = (healthy) => process.exit(healthy ? 0 : 1);

if ((env.SERVICES ?? "").split(",").includes("api")) {
  fetch(`http://127.0.0.1:${env.PORT ?? 3000}/health`, { signal: AbortSignal.timeout(3000) }).then(
    (res) => exit(res.ok),
    () => exit(false),
  );
} else {
  exit(brokerConnected(env.TRANSPORTER));
}

function brokerConnected(transporter) {
  if (!transporter) return false;
  const url = new URL(transporter);
  const port = Number(url.port || (url.protocol === "amqps:" ? 5671 : 5672));
  const ESTABLISHED = "01";
  return ["/proc/net/tcp", "/proc/net/tcp6"].some((table) => {
    let lines;
    try {
      lines = readFileSync(table, "utf8").trim().split("\n").slice(1);
    } catch {
      return false;
    }
    // Columns: sl local_address rem_address st …; addresses are HEXIP:HEXPORT.
    return lines.some((line) => {
      const [, , remote, state] = line.trim().split(/\s+/);
      return state === ESTABLISHED && parseInt(remote.split(":")[1], 16) === port;
    });
  });
}
