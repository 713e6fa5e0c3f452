import { join } from "node:path";
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

export interface OtlpReceiver {
  /** for OTEL_EXPORTER_OTLP_ENDPOINT */
  endpoint: string;
  /** every span received so far */
  spans: ReceivedSpan[];
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

const definition = protoLoader.loadSync(join(__dirname, "otlp-trace.proto"), { enums: String, longs: String, defaults: true });
const proto = grpc.loadPackageDefinition(definition) as any;
const { TraceService } = proto.opentelemetry.proto.collector.trace.v1;

function attributesOf(list: KeyValue[]): Record<string, Value> {
  return Object.fromEntries(
    list.map(({ key, value = {} }) => [
      key,
      value.stringValue ?? value.boolValue ?? (value.intValue !== undefined ? Number(value.intValue) : value.doubleValue)!,
    ]),
  );
}

/** An OTLP/gRPC trace collector on 127.0.0.1 (a free port), keeping what the nodes export in memory. */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const server = new grpc.Server();
  server.addService(TraceService.service, {
    Export(call: grpc.ServerUnaryCall<ExportRequest, object>, callback: grpc.sendUnaryData<object>) {
      for (const { resource, scopeSpans } of call.request.resourceSpans) {
        const resourceAttributes = attributesOf(resource?.attributes ?? []);
        for (const span of scopeSpans.flatMap((scope) => scope.spans)) {
          spans.push({
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
            service: String(resourceAttributes["service.name"]),
            resource: resourceAttributes,
          });
        }
      }
      callback(null, {});
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, bound) => (err ? reject(err) : resolve(bound))),
  );
  return {
    endpoint: `http://127.0.0.1:${port}`,
    spans,
    stop: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}
