import { type BrokerOptions, Errors, ServiceBroker, type ServiceSchema } from "moleculer";
import { PROBE_OPTIONS } from "../../../mixins/moleculer/probe";
import config from "../../../moleculer.config";
import ApiServiceSchema from "../../../services/api.service";

/**
 * The broker's circuit breaker (moleculer.config) protects callers from a failing endpoint. Probes
 * must not be cut off by it: after 20 failed readiness checks (a backend starting up), /ready would
 * stay 503 for 10 s after the backends came back.
 */
describe("circuit breaker", () => {
  let gateway: ServiceBroker;
  let backend: ServiceBroker;
  let url: string;
  let backendUp = false;

  beforeEach(async () => {
    backendUp = false;
    const common: BrokerOptions = {
      logger: false,
      transporter: "Fake",
      namespace: `cb-${Date.now()}`,
      circuitBreaker: config.circuitBreaker,
    };
    gateway = new ServiceBroker({ ...common, nodeID: "gateway" });
    const api = gateway.createService({
      ...ApiServiceSchema,
      settings: { ...ApiServiceSchema.settings, port: 0, ip: "127.0.0.1" },
    } as ServiceSchema);
    backend = new ServiceBroker({ ...common, nodeID: "backend" });
    const ready = () => {
      if (!backendUp) throw new Errors.MoleculerError("Event consumers not reachable yet", 503, "CONSUMERS_UNAVAILABLE");
      return { status: "up", consistency: { outbox: { pending: 0, oldestPendingSeconds: 0, stuck: 0, parked: 0 } } };
    };
    // The backends' readiness actions, as the db mixin defines them.
    backend.createService({ name: "orders", actions: { ready: { ...PROBE_OPTIONS, handler: ready } } });
    backend.createService({ name: "invoices", actions: { ready: { ...PROBE_OPTIONS, handler: ready } } });
    await Promise.all([gateway.start(), backend.start()]);
    await gateway.waitForServices(["orders", "invoices"]);
    url = `http://127.0.0.1:${(api as unknown as { server: { address(): { port: number } } }).server.address().port}`;
  });

  afterEach(async () => {
    await Promise.all([gateway.stop(), backend.stop()]);
  });

  it("keeps /ready answering the backends' state as it is now, however often it failed", async () => {
    for (let i = 0; i < 25; i++) expect((await fetch(`${url}/ready`)).status).toBe(503);
    backendUp = true;
    expect((await fetch(`${url}/ready`)).status).toBe(200);
  });
});
