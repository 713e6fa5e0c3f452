import { Errors } from "moleculer";
import type { OrderStatus } from "../../contracts/orders";

/** pending → invoiced → paid; pending | invoiced → cancelled. */
const ALLOWED: Record<OrderStatus, readonly OrderStatus[]> = {
  pending: ["invoiced", "cancelled"],
  invoiced: ["paid", "cancelled"],
  paid: [],
  cancelled: [],
};

/** Position on the happy path: a step at or behind the current one has already happened. */
const PROGRESS: Partial<Record<OrderStatus, number>> = { pending: 0, invoiced: 1, paid: 2 };

/**
 * The status after moving `current` to `target`, or `null` when that move has already happened
 * (a redelivered event is then harmless). An illegal move is a 409 naming the current status.
 */
export function transition(current: OrderStatus, target: OrderStatus): OrderStatus | null {
  if (ALLOWED[current].includes(target)) return target;
  const from = PROGRESS[current];
  const to = PROGRESS[target];
  if (current === target || (from !== undefined && to !== undefined && to <= from)) return null;
  throw new Errors.MoleculerClientError(
    `Order is ${current}; it cannot become ${target}`,
    409,
    "ILLEGAL_TRANSITION",
    { status: current, target },
  );
}
