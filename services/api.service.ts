import type { IncomingMessage, ServerResponse } from "node:http";
import { Errors, type Context, type ServiceSchema } from "moleculer";
import ApiGateway, { type ApiSettingsSchema } from "moleculer-web";
import type { HttpMeta } from "../contracts/http";
import { PROBE_OPTIONS } from "../mixins/probe";
import { toHttpError } from "./gateway/http-errors";
import { idempotencyKey } from "./gateway/idempotency-key";
import { openApiDocument } from "./gateway/openapi";
import { requireJsonBody } from "./gateway/require-json";
import { ROUTES, aliases } from "./gateway/routes";

/** The services whose actions the gateway exposes; `/ready` checks each one and its database. */
const BACKENDS = ["orders", "invoices"] as const;

const OPENAPI = openApiDocument(ROUTES);

/**
 * The REST gateway (ARCHITECTURE §3). Only the routes of gateway/routes.ts are reachable over HTTP
 * (`mappingPolicy: "restrict"`); Kong sits in front of it.
 */
const ApiServiceSchema: ServiceSchema<ApiSettingsSchema> = {
  name: "api",
  mixins: [ApiGateway],

  settings: {
    port: Number(process.env.PORT ?? 3000),
    ip: process.env.HOST ?? "0.0.0.0",
    log4XXResponses: false,

    routes: [
      {
        path: "/",
        mappingPolicy: "restrict",
        autoAliases: false,
        aliases,
        bodyParsers: {
          json: { strict: true, limit: process.env.BODY_LIMIT ?? "64kb" },
          urlencoded: false,
        },
        onBeforeCall(ctx: Context<unknown, HttpMeta>, _route: unknown, req: IncomingMessage) {
          requireJsonBody(req);
          ctx.meta.idempotencyKey = idempotencyKey(req);
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

    /** Readiness: every backend service answers and reaches its database; with their consistency reports. */
    ready: {
      ...PROBE_OPTIONS,
      async handler(ctx: Context) {
        const checks = await Promise.allSettled(
          BACKENDS.map((service) => ctx.call(`${service}.ready`, {}, { timeout: 2_000, retries: 0 })),
        );
        const services: Record<string, "up" | "down"> = {};
        const consistency: Record<string, unknown> = {};
        const problems: Record<string, { type?: string; data?: unknown }> = {};
        BACKENDS.forEach((service, i) => {
          const check = checks[i];
          services[service] = check.status === "fulfilled" ? "up" : "down";
          if (check.status === "fulfilled") consistency[service] = (check.value as { consistency: unknown }).consistency;
          else problems[service] = { type: check.reason?.type, data: check.reason?.data };
        });
        if (Object.keys(problems).length > 0) {
          throw new Errors.MoleculerError("Not ready", 503, "NOT_READY", { services, problems });
        }
        return { status: "ready", services, consistency };
      },
    },
  },

  methods: {
    /** Every failed request ends here: the error is mapped for the client and logged when it is ours. */
    errorHandler(req: IncomingMessage, res: ServerResponse, err: Error) {
      const httpError = toHttpError(err);
      if (httpError.code === 500) this.logger.error(`${req.method} ${req.url} failed:`, err);
      if (httpError.code === 503) {
        this.logger.warn(`${req.method} ${req.url}: ${httpError.type}`, httpError.data);
        res.setHeader("Retry-After", "5");
      }
      return this.sendError(req, res, httpError);
    },
  },
};

export default ApiServiceSchema;
