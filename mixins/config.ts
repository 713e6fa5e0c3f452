import { writeSync } from "node:fs";
import { hostname } from "node:os";
import bytes from "bytes";
import Validator, { type ValidationError } from "fastest-validator";
import { queryInteger } from "../contracts/query-integer";

const MiB = 1024 * 1024;
const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace"] as const;
const OTLP_PROTOCOLS = ["grpc", "http/protobuf", "http/json"] as const;

/** A whole number written in decimal digits, at least `min` (and at most `max`); unset: undefined, or `fallback` with wholeOr. */
const whole = (min: number, max = Number.MAX_SAFE_INTEGER) => ({ ...queryInteger({ min, max }), optional: true }) as const;
const wholeOr = (min: number, fallback: number) => ({ ...whole(min), default: fallback }) as const;
const MAX_PORT = 65_535;
const port = (min: number, fallback?: number) => ({ ...whole(min, MAX_PORT), default: fallback }) as const;
const text = { type: "string", optional: true, empty: false } as const;
const textOr = (fallback: string) => ({ ...text, default: fallback }) as const;

/**
 * Every environment variable a node or the `npm start` launcher reads, its rule and its default (the
 * README's Environment table lists the same). OpenTelemetry's (`OTEL_*`) are read by its SDK, except
 * the OTLP protocols: the SDK would take a misspelt one for http/protobuf without a word, and this
 * project's default is gRPC.
 */
const RULES = {
  TRANSPORTER: { type: "string", optional: true, pattern: /^(TCP|amqps?:\/\/.+)$/ },
  AMQP_PREFETCH: wholeOr(1, 100),
  ORDERS_DATABASE_URL: text,
  INVOICES_DATABASE_URL: text,
  DB_POOL_MAX: wholeOr(1, 10),
  PORT: port(0, 3000),
  HOST: textOr("0.0.0.0"),
  NAMESPACE: textOr("orders-invoices"),
  NODE_ID: text,
  NODE_ROLE: text,
  SERVICES: text,
  NODE_ENV: text,
  LOG_LEVEL: { type: "enum", values: LOG_LEVELS, default: "info" },
  LOG_FORMAT: { type: "enum", values: ["json", "text"], default: "text" },
  METRICS_PORT: port(1),
  REQUEST_TIMEOUT_MS: wholeOr(1, 10_000),
  PAYMENT_TERMS_DAYS: wholeOr(0, 30),
  OUTBOX_POLL_MS: wholeOr(1, 1_000),
  OUTBOX_RETRY_BASE_MS: wholeOr(1, 1_000),
  OUTBOX_RETRY_MAX_MS: wholeOr(1, 30_000),
  OUTBOX_MAX_FAILURES: wholeOr(1, 5),
  OUTBOX_STUCK_AFTER_SECONDS: wholeOr(1, 60),
  OUTBOX_BATCH_SIZE: wholeOr(1, 100),
  OUTBOX_MAX_IN_FLIGHT: wholeOr(1, 1_000),
  OUTBOX_RELAY_ENABLED: { type: "enum", values: ["true", "false"], default: "true" },
  CONSUMER_BATCH_SIZE: wholeOr(1, 500),
  INBOX_RETENTION_DAYS: wholeOr(1, 7),
  COMMAND_BATCH_SIZE: wholeOr(1, 50),
  GATEWAY_MAX_IN_FLIGHT: wholeOr(1, 200),
  GATEWAY_MAX_WAIT_MS: whole(1),
  ADMISSION_CONCURRENCY: whole(1),
  ADMISSION_QUEUE_SIZE: wholeOr(1, 100),
  BODY_LIMIT: textOr("64kb"),
  TRANSPORT_MAX_PACKET_BYTES: wholeOr(MiB, 16 * MiB),
  OTEL_EXPORTER_OTLP_PROTOCOL: { type: "enum", values: OTLP_PROTOCOLS, default: "grpc" },
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: { type: "enum", values: OTLP_PROTOCOLS, optional: true },
  OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: { type: "enum", values: OTLP_PROTOCOLS, optional: true },
  // the launcher's embedded PostgreSQL: its folder (unset: .data/ in the project) and port
  DATA_DIR: text,
  EMBEDDED_PG_PORT: port(1, 54_329),
} as const;

type Rules = typeof RULES;
type Value<R> = R extends { type: "enum"; values: readonly (infer V)[] } ? V : R extends { integer: true } ? number : string;
type Defaulted<R> = R extends { default: unknown } ? Value<R> : Value<R> | undefined;

/** The node's configuration: every variable of RULES, converted, defaults applied, and these worked out from the others. */
export type Config = { readonly [K in keyof Rules]: Defaulted<Rules[K]> } & {
  /** `BODY_LIMIT` in bytes */
  readonly BODY_LIMIT_BYTES: number;
  readonly GATEWAY_MAX_WAIT_MS: number;
  readonly ADMISSION_CONCURRENCY: number;
};

export type ConfigVariable = keyof Rules;

/** Every variable read and checked here. */
export const CONFIG_VARIABLES = Object.keys(RULES) as ConfigVariable[];

const check = new Validator({ useNewCustomCheckerFunction: true }).compile(RULES as never);

/** What readConfig throws: every invalid variable, each with what it must be and what it was. */
export class InvalidConfiguration extends Error {
  constructor(problems: string[]) {
    super(`Invalid configuration: ${problems.join("; ")}`);
    this.name = "InvalidConfiguration";
  }
}

/**
 * The configuration `env` holds. Every invalid variable is named in one error, so that a node with a
 * typo stops at start-up saying which, instead of running with `NaN` or a default it was not given.
 * An empty variable counts as unset.
 */
export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const values: Record<string, unknown> = {};
  for (const name of CONFIG_VARIABLES) if (env[name] !== undefined && env[name] !== "") values[name] = env[name];
  const raw = { ...values };
  const result = check(values);
  const problems = result === true ? [] : (result as ValidationError[]).map((failure) => problem(failure, raw));
  const bodyLimitBytes = typeof values.BODY_LIMIT === "string" ? bytes.parse(values.BODY_LIMIT) : null;
  if (!(bodyLimitBytes && bodyLimitBytes > 0)) problems.push(`BODY_LIMIT must be a size such as 64kb, got '${raw.BODY_LIMIT}'`);
  if (problems.length > 0) throw new InvalidConfiguration([...new Set(problems)]);
  const config = values as Record<string, unknown>;
  return Object.freeze({
    ...config,
    BODY_LIMIT_BYTES: bodyLimitBytes as number,
    GATEWAY_MAX_WAIT_MS: (config.GATEWAY_MAX_WAIT_MS as number | undefined) ?? Math.round((config.REQUEST_TIMEOUT_MS as number) / 5),
    ADMISSION_CONCURRENCY: (config.ADMISSION_CONCURRENCY as number | undefined) ?? 2 * (config.COMMAND_BATCH_SIZE as number),
  }) as Config;
}

/** A URL's user and password are left out of what is said about its value: the line goes to the logs. */
const withoutCredentials = (value: unknown) => String(value).replace(/\/\/[^/@]*@/, "//…@");

function problem({ field, type, expected }: ValidationError, raw: Record<string, unknown>): string {
  const got = `got '${withoutCredentials(raw[field])}'`;
  const rule = RULES[field as ConfigVariable] as { type: string; min?: number; max?: number; values?: readonly string[] };
  if (rule.type === "custom") {
    const range = rule.max === Number.MAX_SAFE_INTEGER ? `of at least ${rule.min}` : `from ${rule.min} to ${rule.max}`;
    return `${field} must be a whole number ${range}, ${got}`;
  }
  if (rule.type === "enum") return `${field} must be one of ${rule.values!.join(", ")}, ${got}`;
  if (type === "stringPattern") return `${field} must match ${expected}, ${got}`;
  return `${field} is not valid (${type}), ${got}`;
}

let current: Config | undefined;

/** The configuration of this process, read from its environment the first time it is asked for. */
export function config(): Config {
  current ??= readConfig();
  return current;
}

/** sysexits' EX_CONFIG: an exit status by which a process manager (systemd, ECS…) can tell a configuration mistake from a crash. */
const EXIT_INVALID_CONFIGURATION = 78;

/**
 * The configuration, read where a process starts (a node's preload, the `npm start` launcher). An
 * invalid variable is the operator's mistake, not a fault of the code: it is said in one line on stderr
 * and the process exits, rather than thrown, since a stack trace would bury that line. Modules read
 * `config()`, which throws.
 */
export function configAtStart(): Config {
  try {
    return config();
  } catch (err) {
    if (!(err instanceof InvalidConfiguration)) throw err;
    // written at once: process.stderr may be asynchronous (a pipe), and the process exits next
    writeSync(2, `${err.message}\n`);
    process.exit(EXIT_INVALID_CONFIGURATION);
  }
}

/**
 * The node's role (the services it runs) and its ID, `<role>-<hostname>` unless `NODE_ID` says: stable
 * across restarts (a PID in it would leave orphan queues behind). Traces and logs name the node by it.
 */
export function nodeIdentity({ NODE_ROLE, SERVICES, NODE_ID }: Config = config()): { role: string; nodeID: string } {
  const role = NODE_ROLE ?? SERVICES ?? "node";
  return { role, nodeID: NODE_ID ?? `${role}-${hostname()}` };
}
