import type { ServiceBroker } from "moleculer";
import type { EventContract } from "../contracts/events/envelope";

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
