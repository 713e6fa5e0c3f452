import type { Context } from "moleculer";
import { createEnvelope, type EventContract } from "../contracts/events/envelope";

/**
 * Emits an integration event, in its envelope, to the consumer groups its contract names.
 * `causationId` defaults to the calling context; an event handler passes the message it handles.
 */
export function publish<T>(ctx: Context, contract: EventContract<T>, data: T, causationId: string = ctx.id): Promise<void> {
  const envelope = createEnvelope(contract, data, { correlationId: ctx.requestID ?? ctx.id, causationId });
  return ctx.emit(contract.name, envelope, { groups: [...contract.consumers] });
}
