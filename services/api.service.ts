import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { type Context, Errors, type ServiceSchema } from "moleculer";
import ApiGateway, { type ApiSettingsSchema, type IncomingRequest } from "moleculer-web";
import type { HttpMeta } from "../contracts/http";
import { config } from "../mixins/config";
import { PROBE_OPTIONS, traceRequests, transportLimits } from "../mixins/moleculer";
import { Admission } from "./gateway/admission";
import { attention, type ConsistencyReport } from "./gateway/attention";
import { answerClientError } from "./gateway/client-errors";
import { retryAfterSeconds, toHttpError } from "./gateway/http-errors";
import { idempotencyKey } from "./gateway/idempotency-key";
import { jsonBody } from "./gateway/json-body";
import { answerMethods } from "./gateway/methods";
import { openApiDocument } from "./gateway/openapi";
import { type ParamSources, paramsFromSources } from "./gateway/param-sources";
import { aliases, PROBE_PATHS, ROUTES, routeOf } from "./gateway/routes";

/** The services whose actions the gateway exposes; `/ready` checks each one and its database. */
const BACKENDS = ["orders", "invoices"] as const;

const OPENAPI = openApiDocument(ROUTES);
const { PORT, HOST, GATEWAY_MAX_IN_FLIGHT, GATEWAY_MAX_WAIT_MS } = config();
const ADMISSION = new Admission({ maxInFlight: GATEWAY_MAX_IN_FLIGHT, maxWaitMs: GATEWAY_MAX_WAIT_MS });

/**
 * The REST gateway. Only the routes of gateway/routes.ts are reachable over HTTP
 * (`mappingPolicy: "restrict"`); Kong sits in front of it.
 */
const ApiServiceSchema: ServiceSchema<ApiSettingsSchema> = {
  name: "api",
  mixins: [ApiGateway],

  settings: {
    port: PORT,
    ip: HOST,
    // Access lines (`=> POST /orders`, `<= 201 POST /orders [+12 ms]`) only at debug: Kong logs every
    // request at the edge, and at info a line per request costs every request (README: Performance).
    // A client's mistake logs one line at most, a fault at error.
    logRequest: "debug",
    logResponse: "debug",
    log4XXResponses: false,

    routes: [
      {
        path: "/",
        mappingPolicy: "restrict",
        autoAliases: false,
        aliases,
        // The body is read by jsonBody, after answerMethods has turned away what no route takes.
        bodyParsers: false,
        use: [answerMethods, jsonBody(transportLimits().bodyLimitBytes)],
        // Each source apart, so that onBeforeCall can take each field from the one it belongs to.
        mergeParams: false,
        onBeforeCall(ctx: Context<unknown, HttpMeta>, _route: unknown, req: IncomingRequest, res: ServerResponse) {
          const route = routeOf(req.$alias.method, (req.$alias as unknown as { fullPath: string }).fullPath);
          // moleculer-web calls the action with whatever req.$params holds once this returns.
          req.$params = paramsFromSources(route, req.$params as ParamSources);
          if (route.idempotent) ctx.meta.idempotencyKey = idempotencyKey(req);
          // The gateway's own actions (probes, the document) are never turned away.
          const action = req.$action.name!;
          if (action.startsWith(`${this.name}.`)) return;
          ADMISSION.admit(action, req);
          res.once("close", () => ADMISSION.release(action, req));
        },
      },
    ],
  },

  actions: {
    /**
     * moleculer-web's request handler. The broker's retry policy is for calls to other services;
     * retrying the whole HTTP request on top of that would multiply the attempts. No span of its own
     * (`tracing: false`): the HTTP server span stands for it and is the parent of the calls it makes.
     */
    rest: { retryPolicy: { enabled: false }, tracing: false },

    /** Liveness: the gateway process answers. */
    health: {
      ...PROBE_OPTIONS,
      handler() {
        return { status: "ok" };
      },
    },

    /** GET /openapi.json */
    openapi: {
      handler() {
        return OPENAPI;
      },
    },

    /**
     * Readiness: every backend service answers and reaches its database; with their consistency
     * reports, and what in them needs an operator (`attention`: stuck or parked messages, orders
     * without an invoice), which leaves readiness as it is (gateway/attention.ts says why).
     */
    ready: {
      ...PROBE_OPTIONS,
      async handler(ctx: Context) {
        const checks = await Promise.allSettled(
          BACKENDS.map((service) => ctx.call(`${service}.ready`, {}, { timeout: 2_000, retries: 0 })),
        );
        const services: Record<string, "up" | "down"> = {};
        const consistency: Record<string, ConsistencyReport> = {};
        const problems: Record<string, { type?: string; data?: unknown }> = {};
        BACKENDS.forEach((service, i) => {
          const check = checks[i];
          services[service] = check.status === "fulfilled" ? "up" : "down";
          if (check.status === "fulfilled") consistency[service] = (check.value as { consistency: ConsistencyReport }).consistency;
          else problems[service] = { type: check.reason?.type, data: check.reason?.data };
        });
        if (Object.keys(problems).length > 0) {
          throw new Errors.MoleculerError("Not ready", 503, "NOT_READY", { services, problems });
        }
        return { status: "ready", services, consistency, attention: attention(consistency) };
      },
    },
  },

  created() {
    // The mixin's created() made the server; this comes before it listens.
    this.server.on("clientError", (err: NodeJS.ErrnoException, socket: Duplex) => answerClientError(err, socket, this.logger));
    traceRequests(this.server, PROBE_PATHS);
  },

  methods: {
    /**
     * An answer's JSON, with its length set. HEAD must carry the headers GET would, and Node leaves
     * Content-Length out of an answer to HEAD.
     */
    encodeResponse(_req: IncomingMessage, res: ServerResponse, data: unknown) {
      const json = JSON.stringify(data);
      res.setHeader("Content-Length", Buffer.byteLength(json));
      return json;
    },

    /**
     * An error's JSON `{ name, message, code, type, data }`, with its length set, as for any answer
     * (moleculer-web's writes the head before the body: a GET's error went chunked, a HEAD's had
     * neither). `err` is what errorHandler made of the failure, or moleculer-web's own 404.
     */
    sendError(req: IncomingMessage, res: ServerResponse, err: Errors.MoleculerError) {
      if (res.headersSent) {
        this.logger.warn(`${req.method} ${req.url}: ${err.type} after the answer had started`);
        return;
      }
      const json = JSON.stringify(this.reformatError(err));
      res.writeHead(err.code, { "Content-Type": "application/json; charset=utf-8", "Content-Length": Buffer.byteLength(json) });
      res.end(json);
      this.logResponse(req, res);
    },

    /** Every failed request ends here: the error is mapped for the client and logged when it is ours. */
    errorHandler(req: IncomingMessage, res: ServerResponse, err: Error) {
      const httpError = toHttpError(err);
      if (httpError.code === 500) this.logger.error(`${req.method} ${req.url} failed:`, err);
      if (httpError.code === 503) {
        this.logger.warn(`${req.method} ${req.url}: ${httpError.type}`, httpError.data);
        res.setHeader("Retry-After", String(retryAfterSeconds(httpError.type)));
      }
      return this.sendError(req, res, httpError);
    },
  },
};

export default ApiServiceSchema;
