import { execFileSync } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { Invoice } from "../../contracts/invoices";
import type { Order } from "../../contracts/orders";
import type { Page } from "../../contracts/paging";
import { type Cluster, startCluster } from "../support/cluster";
import { eventually } from "../support/eventually";
import { logRecords } from "../support/log-records";
import { orderBody } from "../support/orders";
import { type OtlpReceiver, type ReceivedSpan, type SpanKind, startOtlpReceiver } from "../support/otlp-receiver";
import { freePort } from "../support/ports";
import { setDatabaseOutage } from "../support/postgres";

let receiver: OtlpReceiver;
let cluster: Cluster;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  // A short batch delay: spans reach the receiver within a fraction of a second.
  cluster = await startCluster({
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
    OTEL_BSP_SCHEDULE_DELAY: "200",
    OTEL_BLRP_SCHEDULE_DELAY: "200",
    LOG_FORMAT: "json",
    // an order's and its invoice's lines are at debug
    LOG_LEVEL: "debug",
  });
});

afterAll(async () => {
  await cluster?.stop();
  await receiver?.stop();
});

/**
 * What Kong sends: a trace of its own, with Kong's span as the parent of everything the request causes;
 * `sampled: false` for the requests Kong's sampling rate leaves out.
 */
function incomingTrace({ sampled = true } = {}) {
  const traceId = randomBytes(16).toString("hex");
  const spanId = randomBytes(8).toString("hex");
  return { traceId, spanId, traceparent: `00-${traceId}-${spanId}-${sampled ? "01" : "00"}` };
}

const spansOf = (traceId: string) => receiver.spans.filter((span) => span.traceId === traceId);

function find(spans: ReceivedSpan[], service: string, kind: SpanKind, matches: (span: ReceivedSpan) => boolean): ReceivedSpan {
  const found = spans.filter((span) => span.service === service && span.kind === kind && matches(span));
  expect(found.map((span) => `${span.service} ${span.name}`)).toHaveLength(1);
  return found[0];
}

const named = (name: string) => (span: ReceivedSpan) => span.name === name;
const statement = (span: ReceivedSpan) => String(span.attributes["db.query.text"] ?? span.attributes["db.statement"]);
// An INSERT on its own, or one of the INSERTs of a WITH that writes a batch at once.
const inserting = (table: string) => (span: ReceivedSpan) => new RegExp(`^(WITH .*)?INSERT INTO "?${table}"? `, "is").test(statement(span));
const updating = (table: string) => (span: ReceivedSpan) => new RegExp(`^UPDATE "?${table}"?`, "i").test(statement(span));

/** The chain of spans from `span` up to the root of what was received, `span` first. */
function lineage(spans: ReceivedSpan[], span: ReceivedSpan): ReceivedSpan[] {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const chain = [span];
  for (let parent = byId.get(span.parentSpanId); parent; parent = byId.get(parent.parentSpanId)) chain.push(parent);
  return chain;
}

/** The JSON log lines (Pino) of a node instance. */
const jsonLines = (instance: string) => logRecords(cluster.logs(instance));

/** The log record `service` exported whose message includes `text`. */
const exported = (service: string, text: string) =>
  eventually(async () => {
    const found = receiver.logs.filter((log) => log.service === service && log.body.includes(text));
    expect(found).toHaveLength(1);
    return found[0];
  });

describe("logs", () => {
  const placeOrder = async (name: string, sampled = true) => {
    const incoming = incomingTrace({ sampled });
    const created = await cluster.http.raw<Order>("POST", "/orders", {
      body: JSON.stringify(orderBody(name)),
      headers: { "content-type": "application/json", traceparent: incoming.traceparent },
    });
    expect(created.status).toBe(201);
    const requestId = created.headers.get("x-request-id");
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    return { incoming, order: created.body, requestId };
  };

  /** The first JSON line of a node instance whose message includes `text`, once it is written. */
  const lineOf = (instance: string, text: string) =>
    eventually(async () => {
      const line = jsonLines(instance).find((entry) => String(entry.msg).includes(text));
      expect(line).toBeDefined();
      return line!;
    });

  it("are JSON lines carrying the trace id, span id and request id of the work they describe", async () => {
    const { incoming, order, requestId } = await placeOrder("logged");
    const accepted = await lineOf("orders", `Order ${order.id} accepted`);
    expect(accepted).toMatchObject({ trace_id: incoming.traceId, trace_flags: "01", requestId, role: "orders" });
    expect(accepted.span_id).toMatch(/^[0-9a-f]{16}$/);

    const issued = await lineOf("invoices", `for order ${order.id}`);
    expect(issued).toMatchObject({ trace_id: incoming.traceId, requestId, role: "invoices" });
    // The README's LogQL finds slow invoices by this: `regexp "lag (?P<lag>[0-9.]+) s" | lag > 10`.
    const lag = Number(/lag (?<lag>[0-9.]+) s/.exec(String(issued.msg))?.groups?.lag);
    expect(lag).toBeGreaterThanOrEqual(0);
    expect(lag).toBeLessThan(60);
  });

  it("carry the trace id and request id of a request its caller did not sample, of which no span is exported", async () => {
    const { incoming, order, requestId } = await placeOrder("unsampled", false);
    expect(await lineOf("orders", `Order ${order.id} accepted`)).toMatchObject({
      trace_id: incoming.traceId,
      trace_flags: "00",
      requestId,
    });
    expect(await lineOf("invoices", `for order ${order.id}`)).toMatchObject({ trace_id: incoming.traceId, trace_flags: "00", requestId });
    // …and in the log records exported over OTLP, where a search by trace id looks.
    expect(await exported("orders", `Order ${order.id} accepted`)).toMatchObject({ traceId: incoming.traceId });
    expect(await exported("invoices", `for order ${order.id}`)).toMatchObject({ traceId: incoming.traceId, attributes: { requestId } });
    await eventually(async () => expect((await cluster.http.get<Order>(`/orders/${order.id}`)).body.status).toBe("invoiced"));

    // A sampled order placed after it has gone all the way round, and every node has exported its
    // spans since: any span of the first would have gone with them.
    const sampled = await placeOrder("sampled-after");
    await eventually(async () => {
      const spans = spansOf(sampled.incoming.traceId);
      expect(new Set(spans.map((span) => span.service))).toEqual(new Set(["gateway", "orders", "invoices"]));
      expect(spans.filter(named("process invoice.issued"))).toHaveLength(1);
    });
    expect(spansOf(incoming.traceId)).toEqual([]);
  });

  it("from the gateway, about a request it could not serve, carry that request's trace id and request id", async () => {
    const incoming = incomingTrace();
    const path = `/invoices/${randomUUID()}`;
    await setDatabaseOutage(cluster.databases.invoices, true);
    try {
      // An empty X-Request-ID is none: the gateway makes one, and its line has it.
      const unavailable = await cluster.http.raw("GET", path, { headers: { traceparent: incoming.traceparent, "x-request-id": "" } });
      expect(unavailable.status).toBe(503);
      const requestId = unavailable.headers.get("x-request-id");
      expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(await lineOf("api", `GET ${path}: `)).toMatchObject({ trace_id: incoming.traceId, requestId, level: 40 });
    } finally {
      await setDatabaseOutage(cluster.databases.invoices, false);
    }
  });

  it("go over OTLP beside the traces: the node as resource, the trace and span as the record's own, the request id as an attribute", async () => {
    const { incoming, order, requestId } = await placeOrder("exported");
    const accepted = await exported("orders", `Order ${order.id} accepted`);
    expect(accepted).toMatchObject({
      traceId: incoming.traceId,
      severity: "debug",
      attributes: { requestId, role: "orders", mod: "orders" },
      resource: { "service.name": "orders", "service.instance.id": expect.stringMatching(/^orders-/) },
    });
    // The trace fields are the record's, not repeated among its attributes; the span is the one that wrote it.
    for (const field of ["trace_id", "span_id", "trace_flags"]) expect(accepted.attributes).not.toHaveProperty(field);
    await eventually(async () => {
      const writer = spansOf(incoming.traceId).find((span) => span.spanId === accepted.spanId);
      expect(writer).toMatchObject({ service: "orders", name: "orders.create" });
    });

    const issued = await exported("invoices", `for order ${order.id}`);
    expect(issued).toMatchObject({ traceId: incoming.traceId, attributes: { requestId }, resource: { "service.name": "invoices" } });
  });
});

describe("one POST /orders is one trace: Kong → gateway → orders → INSERT → relay → invoices → INSERT", () => {
  it("continues the incoming traceparent through every node, the outbox and the databases", async () => {
    const incoming = incomingTrace();
    const created = await cluster.http.raw<Order>("POST", "/orders", {
      body: JSON.stringify(orderBody("traced")),
      headers: { "content-type": "application/json", traceparent: incoming.traceparent },
    });
    expect(created.status).toBe(201);
    await eventually(async () => {
      const { body } = await cluster.http.get<Order>(`/orders/${created.body.id}`);
      expect(body.status).toBe("invoiced");
    });

    await eventually(async () => {
      const spans = spansOf(incoming.traceId);
      expect(new Set(spans.map((span) => span.service))).toEqual(new Set(["gateway", "orders", "invoices"]));

      // The gateway's HTTP span continues Kong's; moleculer-web's own action adds no span in between.
      const http = find(spans, "gateway", "SPAN_KIND_SERVER", (span) => span.attributes["http.request.method"] === "POST");
      expect(http.parentSpanId).toBe(incoming.spanId);
      const create = find(spans, "orders", "SPAN_KIND_SERVER", named("orders.create"));
      expect(create.parentSpanId).toBe(http.spanId);
      expect(create.attributes).toMatchObject({ "rpc.system.name": "moleculer", "rpc.method": "orders.create" });
      const insert = find(spans, "orders", "SPAN_KIND_CLIENT", inserting("orders"));
      expect(lineage(spans, insert)).toContain(create);

      // The relay emits later, outside the request, yet continues its trace from the outbox row.
      const send = find(spans, "orders", "SPAN_KIND_PRODUCER", named("send order.created"));
      expect(send.parentSpanId).toBe(create.spanId);
      const issue = find(spans, "invoices", "SPAN_KIND_CONSUMER", named("process order.created"));
      expect(issue.parentSpanId).toBe(send.spanId);
      expect(issue.attributes).toMatchObject({
        "messaging.system": "moleculer",
        "messaging.destination.name": "order.created",
        "messaging.operation.type": "process",
        "messaging.consumer.group.name": "invoices",
      });
      expect(lineage(spans, find(spans, "invoices", "SPAN_KIND_CLIENT", inserting("invoices")))).toContain(issue);

      // …and on through invoice.issued back to orders, which marks the order invoiced.
      const invoiced = find(spans, "orders", "SPAN_KIND_CONSUMER", named("process invoice.issued"));
      expect(lineage(spans, invoiced)).toContain(issue);
      expect(lineage(spans, find(spans, "orders", "SPAN_KIND_CLIENT", updating("orders")))).toContain(invoiced);

      // One tree: every span's parent arrived too, except the HTTP span's, which is Kong's.
      const ids = new Set(spans.map((span) => span.spanId));
      expect(spans.filter((span) => !ids.has(span.parentSpanId)).map((span) => span.name)).toEqual([http.name]);
    });
  });

  it("leads from every one of many concurrent requests to its own INSERT: in its trace, or by a link to a shared transaction's", async () => {
    const requests = Array.from({ length: 30 }, () => incomingTrace());
    const created = await Promise.all(
      requests.map((incoming, i) =>
        cluster.http.raw<Order>("POST", "/orders", {
          body: JSON.stringify(orderBody(`concurrent-${i}`)),
          headers: { "content-type": "application/json", traceparent: incoming.traceparent },
        }),
      ),
    );
    expect(created.map((response) => response.status)).toEqual(requests.map(() => 201));

    await eventually(async () => {
      // Each shared transaction's call, with the requests whose rows went in with it. The INSERT is a
      // prepared statement whose text carries no values: the batch sizes its links state must add up.
      const batches = new Map<string, { holder: ReceivedSpan; size: number; requests: number }>();
      for (const incoming of requests) {
        const spans = spansOf(incoming.traceId);
        const create = find(spans, "orders", "SPAN_KIND_SERVER", named("orders.create"));
        // Where this request's rows went in: under its own call, or under the call its span links to.
        const [link] = create.links;
        const holder = link ? find(spansOf(link.traceId), "orders", "SPAN_KIND_SERVER", (span) => span.spanId === link.spanId) : create;
        const batch = batches.get(holder.spanId) ?? { holder, size: 1, requests: 0 };
        batch.requests++;
        if (link) batch.size = Number(link.attributes["batch.size"]);
        batches.set(holder.spanId, batch);
      }
      for (const { holder, size, requests: linked } of batches.values()) {
        const inserts = spansOf(holder.traceId).filter(
          (span) =>
            span.kind === "SPAN_KIND_CLIENT" && inserting("orders")(span) && lineage(spansOf(holder.traceId), span).includes(holder),
        );
        expect(inserts).toHaveLength(1);
        // Every request of the batch leads there, its holder included: none is left out, none counted twice.
        expect(linked).toBe(size);
      }
      expect([...batches.values()].reduce((sum, { size }) => sum + size, 0)).toBe(created.length);
    });
  });

  it("marks a service's fault as an error, and not a caller's mistake", async () => {
    const notFound = incomingTrace();
    const missing = await cluster.http.raw("GET", `/orders/${randomUUID()}`, { headers: { traceparent: notFound.traceparent } });
    expect(missing.status).toBe(404);

    const outage = incomingTrace();
    await setDatabaseOutage(cluster.databases.invoices, true);
    try {
      const unavailable = await cluster.http.raw("GET", `/invoices/${randomUUID()}`, { headers: { traceparent: outage.traceparent } });
      expect(unavailable.status).toBe(503);
    } finally {
      await setDatabaseOutage(cluster.databases.invoices, false);
    }

    await eventually(async () => {
      // A 404 is the caller's: it is recorded, but neither the call nor the HTTP request is an error.
      const lookup = find(spansOf(notFound.traceId), "orders", "SPAN_KIND_SERVER", named("orders.get"));
      expect(lookup).toMatchObject({ status: "STATUS_CODE_UNSET", attributes: { "rpc.status_code": "NOT_FOUND" } });
      expect(lookup.attributes).not.toHaveProperty("error.type");
      expect(find(spansOf(notFound.traceId), "gateway", "SPAN_KIND_SERVER", () => true).status).toBe("STATUS_CODE_UNSET");

      // A lost database is the service's: both spans are errors, with what the handler ran into: the
      // closed connection, or PostgreSQL's "terminating connection" when it arrives first.
      const read = find(spansOf(outage.traceId), "invoices", "SPAN_KIND_SERVER", named("invoices.get"));
      expect(read).toMatchObject({
        status: "STATUS_CODE_ERROR",
        attributes: { "error.type": expect.stringMatching(/^Sequelize(Connection|Database)Error$/) },
      });
      expect(find(spansOf(outage.traceId), "gateway", "SPAN_KIND_SERVER", () => true).status).toBe("STATUS_CODE_ERROR");
    });
  });

  it("starts no trace for probes or for the relay's polling", async () => {
    await sleep(1_000); // what earlier tests caused has arrived
    const before = receiver.spans.length;
    expect((await cluster.http.get("/ready")).status).toBe(200);
    expect((await cluster.http.get("/health")).status).toBe(200);
    await sleep(1_500); // more than the batch delay and the relay's poll interval
    const roots = receiver.spans.slice(before).filter((span) => span.parentSpanId === "");
    expect(roots.map((span) => `${span.service} ${span.name}`)).toEqual([]);
  });

  it("exports the spans still waiting in a batch when the node stops", async () => {
    const port = await freePort();
    // An hour's batch delay: these spans can only leave when SIGTERM flushes them.
    await cluster.startNode("api-2", "api", { PORT: String(port), OTEL_BSP_SCHEDULE_DELAY: "3600000" });
    const incoming = incomingTrace();
    const res = await fetch(`http://127.0.0.1:${port}/invoices?customerId=nobody`, { headers: { traceparent: incoming.traceparent } });
    expect(((await res.json()) as Page<Invoice>).total).toBe(0);
    await sleep(500);
    expect(spansOf(incoming.traceId).filter((span) => span.service === "gateway")).toEqual([]);

    await cluster.stopNode("api-2");
    const http = find(spansOf(incoming.traceId), "gateway", "SPAN_KIND_SERVER", () => true);
    expect(http.resource["service.instance.id"]).toBe("api-2");
  });
});

describe("sampling in production (NODE_ENV=production, as the image runs)", () => {
  it("keeps about one in ten of the traces that start at the node, and every trace its caller kept", async () => {
    const port = await freePort();
    await cluster.startNode("api-prod", "api", { PORT: String(port), NODE_ENV: "production" });
    const read = (headers: Record<string, string> = {}) =>
      fetch(`http://127.0.0.1:${port}/invoices?customerId=nobody`, { headers }).then((res) => res.json());
    const started = new Set<string>();
    for (let i = 0; i < 200; i++) await read();
    const callers = Array.from({ length: 10 }, () => incomingTrace());
    for (const caller of callers) await read({ traceparent: caller.traceparent });
    await cluster.stopNode("api-prod");

    for (const span of receiver.spans) {
      if (span.resource["service.instance.id"] === "api-prod" && span.parentSpanId === "") started.add(span.traceId);
    }
    // Binomial(200, 0.1): 20 ± 4; none or all would be another sampler.
    expect(started.size).toBeGreaterThan(0);
    expect(started.size).toBeLessThan(60);
    for (const caller of callers) {
      expect(spansOf(caller.traceId).filter((span) => span.resource["service.instance.id"] === "api-prod").length).toBeGreaterThan(0);
    }
  });
});

describe("OTLP over HTTP with an API key, as a managed backend takes it", () => {
  it("sends the gateway's spans and logs as protobuf to /v1/traces and /v1/logs, with the configured headers", async () => {
    const backend = await startOtlpReceiver("http/protobuf");
    try {
      const port = await freePort();
      await cluster.startNode("api-http", "api", {
        PORT: String(port),
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf",
        OTEL_EXPORTER_OTLP_ENDPOINT: backend.endpoint,
        OTEL_EXPORTER_OTLP_HEADERS: "Authorization=Basic MTIzNDU2OnRva2Vu",
        // the default level, at which the broker's "Good bye" is its last line
        LOG_LEVEL: "info",
        // Nothing leaves before the node stops, so everything is in the receiver once it has.
        OTEL_BSP_SCHEDULE_DELAY: "3600000",
        OTEL_BLRP_SCHEDULE_DELAY: "3600000",
      });
      const incoming = incomingTrace();
      const res = await fetch(`http://127.0.0.1:${port}/orders/${randomUUID()}`, { headers: { traceparent: incoming.traceparent } });
      expect(res.status).toBe(404);
      await cluster.stopNode("api-http");
      // Its JSON lines are written asynchronously, and what was still buffered was flushed as it exited.
      expect(cluster.logs("api-http").trimEnd().split("\n").at(-1)).toMatch(/"msg":"ServiceBroker is stopped. Good bye."/);

      expect(backend.spans.filter((span) => span.traceId === incoming.traceId).map((span) => span.service)).toContain("gateway");
      expect(backend.logs.filter((log) => log.service === "gateway").length).toBeGreaterThan(0);
      expect(backend.headers.length).toBeGreaterThanOrEqual(2);
      for (const headers of backend.headers) expect(headers.authorization).toBe("Basic MTIzNDU2OnRva2Vu");
      // …and nothing of it went to the gRPC collector the rest of the cluster (orders' span of this trace too) uses.
      expect(spansOf(incoming.traceId).filter((span) => span.resource["service.instance.id"] === "api-http")).toEqual([]);
    } finally {
      await backend.stop();
    }
  });
});

describe("the tracing preload", () => {
  const preload = join(__dirname, "..", "..", "dist", "scripts", "telemetry.js");
  const sdkLoaded = (env: NodeJS.ProcessEnv) =>
    execFileSync(
      process.execPath,
      ["--require", preload, "-e", "process.stdout.write(String(Object.keys(require.cache).some((f) => f.includes('sdk-node'))))"],
      {
        env: { ...process.env, ...env },
      },
    ).toString();

  it("does not even load the SDK when OTEL_SDK_DISABLED=true", () => {
    expect(sdkLoaded({ OTEL_SDK_DISABLED: "true" })).toBe("false");
    expect(sdkLoaded({ OTEL_SDK_DISABLED: "false" })).toBe("true");
  });
});
