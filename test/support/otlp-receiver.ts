import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";

export type SpanKind = "SPAN_KIND_INTERNAL" | "SPAN_KIND_SERVER" | "SPAN_KIND_CLIENT" | "SPAN_KIND_PRODUCER" | "SPAN_KIND_CONSUMER";
type Value = string | number | boolean;

/** One exported span, flattened: ids in hex, attributes as a plain object, `service` from its resource. */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  /** "" for a root span */
  parentSpanId: string;
  name: string;
  kind: SpanKind;
  status: "STATUS_CODE_UNSET" | "STATUS_CODE_OK" | "STATUS_CODE_ERROR";
  attributes: Record<string, Value>;
  /** spans this one points to outside its own tree (a batch's work done under another call's span) */
  links: Array<{ traceId: string; spanId: string; attributes: Record<string, Value> }>;
  service: string;
  resource: Record<string, Value>;
}

/** One exported log record, flattened like a span; `body` is the line's message. */
export interface ReceivedLog {
  /** "" outside a trace */
  traceId: string;
  spanId: string;
  severity: string;
  body: string;
  attributes: Record<string, Value>;
  service: string;
  resource: Record<string, Value>;
}

export type OtlpProtocol = "grpc" | "http/protobuf";

export interface OtlpReceiver {
  /** for OTEL_EXPORTER_OTLP_ENDPOINT, with OTEL_EXPORTER_OTLP_PROTOCOL = `protocol` */
  endpoint: string;
  protocol: OtlpProtocol;
  /** every span received so far */
  spans: ReceivedSpan[];
  /** every log record received so far */
  logs: ReceivedLog[];
  /** the headers (gRPC metadata) of every export received so far, lower-cased */
  headers: Array<Record<string, string>>;
  stop(): Promise<void>;
}

interface KeyValue {
  key: string;
  value?: { stringValue?: string; boolValue?: boolean; intValue?: string; doubleValue?: number };
}

interface ExportRequest {
  resourceSpans: {
    resource?: { attributes: KeyValue[] };
    scopeSpans: {
      spans: {
        traceId: Buffer;
        spanId: Buffer;
        parentSpanId: Buffer;
        name: string;
        kind: SpanKind;
        status?: { code: ReceivedSpan["status"] };
        attributes: KeyValue[];
        links: { traceId: Buffer; spanId: Buffer; attributes: KeyValue[] }[];
      }[];
    }[];
  }[];
}

interface ExportLogsRequest {
  resourceLogs: {
    resource?: { attributes: KeyValue[] };
    scopeLogs: {
      logRecords: {
        severityText: string;
        body?: KeyValue["value"];
        attributes: KeyValue[];
        traceId: Buffer;
        spanId: Buffer;
      }[];
    }[];
  }[];
}

const definition = protoLoader.loadSync(
  ["otlp-trace.proto", "otlp-logs.proto"].map((file) => join(__dirname, file)),
  { enums: String, longs: String, defaults: true, includeDirs: [__dirname] },
);
const proto = grpc.loadPackageDefinition(definition) as any;
const { TraceService } = proto.opentelemetry.proto.collector.trace.v1;
const { LogsService } = proto.opentelemetry.proto.collector.logs.v1;

const plain = (value: KeyValue["value"] = {}): Value =>
  value.stringValue ?? value.boolValue ?? (value.intValue !== undefined ? Number(value.intValue) : value.doubleValue)!;

function attributesOf(list: KeyValue[]): Record<string, Value> {
  return Object.fromEntries(list.map(({ key, value }) => [key, plain(value)]));
}

/** `items` of one resource, each flattened and given the resource's attributes and service name. */
function ofResource<T, R>(resource: { attributes: KeyValue[] } | undefined, items: T[], flatten: (item: T) => R) {
  const attributes = attributesOf(resource?.attributes ?? []);
  return items.map((item) => ({ ...flatten(item), service: String(attributes["service.name"]), resource: attributes }));
}

function spansOf({ resourceSpans }: ExportRequest): ReceivedSpan[] {
  return resourceSpans.flatMap(({ resource, scopeSpans }) =>
    ofResource(
      resource,
      scopeSpans.flatMap((scope) => scope.spans),
      (span) => ({
        traceId: span.traceId.toString("hex"),
        spanId: span.spanId.toString("hex"),
        parentSpanId: span.parentSpanId.toString("hex"),
        name: span.name,
        kind: span.kind,
        status: span.status?.code ?? "STATUS_CODE_UNSET",
        attributes: attributesOf(span.attributes),
        links: span.links.map((link) => ({
          traceId: link.traceId.toString("hex"),
          spanId: link.spanId.toString("hex"),
          attributes: attributesOf(link.attributes),
        })),
      }),
    ),
  );
}

function logsOf({ resourceLogs }: ExportLogsRequest): ReceivedLog[] {
  return resourceLogs.flatMap(({ resource, scopeLogs }) =>
    ofResource(
      resource,
      scopeLogs.flatMap((scope) => scope.logRecords),
      (record) => ({
        traceId: record.traceId.toString("hex"),
        spanId: record.spanId.toString("hex"),
        severity: record.severityText,
        body: String(plain(record.body)),
        attributes: attributesOf(record.attributes),
      }),
    ),
  );
}

/**
 * An OTLP collector on 127.0.0.1 (a free port) for traces and logs, keeping what the nodes export in
 * memory: over gRPC (the nodes' default), or over HTTP with protobuf bodies (`/v1/traces`, `/v1/logs`),
 * as managed backends take it.
 */
export async function startOtlpReceiver(protocol: OtlpProtocol = "grpc"): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const logs: ReceivedLog[] = [];
  const headers: Array<Record<string, string>> = [];
  const receive = {
    traces: (request: ExportRequest) => spans.push(...spansOf(request)),
    logs: (request: ExportLogsRequest) => logs.push(...logsOf(request)),
  };
  const { endpoint, stop } = protocol === "grpc" ? await serveGrpc(receive, headers) : await serveHttp(receive, headers);
  return { endpoint, protocol, spans, logs, headers, stop };
}

interface Receive {
  traces(request: ExportRequest): void;
  logs(request: ExportLogsRequest): void;
}

type Served = { endpoint: string; stop(): Promise<void> };

async function serveGrpc(receive: Receive, headers: Array<Record<string, string>>): Promise<Served> {
  const server = new grpc.Server();
  const export_ =
    <T>(take: (request: T) => void) =>
    (call: grpc.ServerUnaryCall<T, object>, callback: grpc.sendUnaryData<object>) => {
      headers.push(Object.fromEntries(Object.entries(call.metadata.getMap()).map(([name, value]) => [name, String(value)])));
      take(call.request);
      callback(null, {});
    };
  server.addService(TraceService.service, { Export: export_(receive.traces) });
  server.addService(LogsService.service, { Export: export_(receive.logs) });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, bound) => (err ? reject(err) : resolve(bound))),
  );
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}

/** OTLP/HTTP with protobuf bodies: each path's body decoded as the gRPC method's request. */
async function serveHttp(receive: Receive, headers: Array<Record<string, string>>): Promise<Served> {
  const paths: Record<string, (body: Buffer) => void> = {
    "/v1/traces": (body) => receive.traces(TraceService.service.Export.requestDeserialize(body)),
    "/v1/logs": (body) => receive.logs(LogsService.service.Export.requestDeserialize(body)),
  };
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk);
    const take = paths[req.url ?? ""];
    if (req.method !== "POST" || req.headers["content-type"] !== "application/x-protobuf" || !take) {
      res.writeHead(404).end();
      return;
    }
    headers.push(Object.fromEntries(Object.entries(req.headers).map(([name, value]) => [name, String(value)])));
    const body = Buffer.concat(chunks);
    take(req.headers["content-encoding"] === "gzip" ? gunzipSync(body) : body);
    // An empty Export…ServiceResponse is zero bytes.
    res.writeHead(200, { "content-type": "application/x-protobuf" }).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
