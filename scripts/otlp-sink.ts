import * as grpc from "@grpc/grpc-js";

/**
 * The collector `npm run bench -- --defaults` sends traces and logs to: OTLP/gRPC on 127.0.0.1:<port>,
 * answering every export with success and keeping nothing, in a process of its own so that the bench
 * reports its CPU apart. Bodies stay undecoded (no .proto needed): an empty response is zero bytes.
 *
 *   node dist/scripts/otlp-sink.js <port>
 */
const SERVICES = ["trace.v1.TraceService", "logs.v1.LogsService", "metrics.v1.MetricsService"];

const server = new grpc.Server();
const raw = (buffer: Buffer) => buffer;
for (const service of SERVICES) {
  server.register(
    `/opentelemetry.proto.collector.${service}/Export`,
    (_call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => callback(null, Buffer.alloc(0)),
    raw,
    raw,
    "unary",
  );
}
server.bindAsync(`127.0.0.1:${process.argv[2]}`, grpc.ServerCredentials.createInsecure(), (err) => {
  if (err) throw err;
  process.stdout.write("ready\n");
});
process.once("SIGTERM", () => server.tryShutdown(() => process.exit(0)));
