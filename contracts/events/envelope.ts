import type { ActionParams } from "moleculer";
import { newId } from "../ids";

/** Every integration event travels in this envelope (README: Guarantees). */
export interface EventEnvelope<TData> {
  /** unique per message: what consumers deduplicate on */
  id: string;
  type: string;
  version: number;
  occurredAt: string;
  /** the request that started the chain (moleculer-web's request ID) */
  correlationId: string;
  /** the request or message that directly caused this one */
  causationId: string;
  /** the producing service: where consumers send their acknowledgement */
  source: string;
  /** W3C trace context of the transaction that wrote the message: the relay's emit continues that trace */
  traceparent?: string;
  data: TData;
}

/**
 * What an integration event carries on the transporter: the messages of one type that one commit (or
 * one relay pass) sends to a consumer group, in one Moleculer event instead of one event each. Each
 * message keeps its own envelope, is deduplicated and acknowledged on its own, and is traced in its
 * own trace: on the wire, its `traceparent` names the span that sent it.
 */
export interface EventBatch<TData> {
  batch: EventEnvelope<TData>[];
}

export function isEventBatch(payload: unknown): payload is EventBatch<unknown> {
  return Array.isArray((payload as EventBatch<unknown> | undefined)?.batch);
}

/** What producer and consumers agree on for one event type. */
export interface EventContract<TData> {
  name: string;
  version: number;
  /** the Moleculer event groups (consuming services) that must receive it */
  consumers: readonly string[];
  /** fastest-validator schema of the envelope, `data` included */
  params: ActionParams;
  /** phantom field carrying the data type; never set */
  readonly _data?: TData;
}

export function defineEvent<TData>(
  name: string,
  version: number,
  consumers: readonly string[],
  dataProps: ActionParams,
): EventContract<TData> {
  return {
    name,
    version,
    consumers,
    params: {
      id: { type: "uuid" },
      type: { type: "equal", value: name, strict: true },
      version: { type: "equal", value: version, strict: true },
      occurredAt: { type: "string" },
      correlationId: { type: "string" },
      causationId: { type: "string" },
      source: { type: "string", min: 1 },
      traceparent: { type: "string", optional: true },
      data: { type: "object", props: dataProps },
    },
  };
}

export function createEnvelope<TData>(
  contract: EventContract<TData>,
  data: TData,
  cause: { correlationId: string; causationId: string; source: string; traceparent?: string },
): EventEnvelope<TData> {
  return {
    id: newId(),
    type: contract.name,
    version: contract.version,
    occurredAt: new Date().toISOString(),
    ...cause,
    data,
  };
}
