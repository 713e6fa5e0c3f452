import type { Context, ServiceBroker } from "moleculer";
import { createEnvelope, type EventContract } from "../contracts/events/envelope";

/**
 * Emits an integration event, in its envelope, to the consumer groups its contract names.
 * `causationId` defaults to the calling context; an event handler passes the message it handles.
 */
export function publish<T>(ctx: Context, contract: EventContract<T>, data: T, causationId: string = ctx.id): Promise<void> {
  const envelope = createEnvelope(contract, data, { correlationId: ctx.requestID ?? ctx.id, causationId });
  return ctx.emit(contract.name, envelope, { groups: [...contract.consumers] });
}

/**
 * `event → group` for every consumer this node does not know yet. Moleculer drops an event
 * whose group has no known listener, so a producer is not ready until this list is empty.
 */
export function unreachableConsumers(broker: ServiceBroker, contracts: readonly EventContract<unknown>[]): string[] {
  return contracts.flatMap((contract) => {
    const known = broker.getEventGroups(contract.name);
    return contract.consumers.filter((group) => !known.includes(group)).map((group) => `${contract.name} → ${group}`);
  });
}
