import type { ServiceBroker } from "moleculer";
import type { EventContract } from "../../contracts/events/envelope";

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

/**
 * The groups of an event's consumers that some node up now serves. Moleculer keeps a group it has
 * known after the last node serving it has gone (`getEventGroups` still lists it), and drops an event
 * sent there.
 */
export function servedGroups(broker: ServiceBroker, event: string): string[] {
  return broker.getEventGroups(event).filter((group) => broker.registry.events.get(event, group)?.hasAvailable());
}

/** A node as Moleculer describes it to the others (its INFO): its services and their event handlers. */
export interface NodeInfo {
  id: string;
  services?: Array<{ name: string; events?: Record<string, { group?: string }> }>;
}

/**
 * The consumer groups a node serves: the group of each of its services' event handlers, which is the
 * service's name unless the handler names another (Moleculer's rule). Handlers of Moleculer's own
 * events (`$node.connected`…) make no consumer of integration events.
 */
export function groupsServedBy(node: NodeInfo): string[] {
  const groups = new Set<string>();
  for (const service of node.services ?? []) {
    for (const [event, { group }] of Object.entries(service.events ?? {})) {
      if (!event.startsWith("$")) groups.add(group ?? service.name);
    }
  }
  return [...groups];
}
