import { Errors } from "moleculer";
import { ORDER_STATUSES, type OrderStatus } from "../../../contracts/orders";
import { afterInvoicePaid, orderStatus } from "../../../services/orders/order-status";

/** Every (current, target) pair: the new status, null for "already happened", or 409. */
const EXPECTED: Record<OrderStatus, Record<OrderStatus, OrderStatus | null | 409>> = {
  pending: { pending: null, invoiced: "invoiced", paid: 409, cancelled: "cancelled" },
  invoiced: { pending: null, invoiced: null, paid: "paid", cancelled: "cancelled" },
  paid: { pending: null, invoiced: null, paid: null, cancelled: 409 },
  cancelled: { pending: 409, invoiced: 409, paid: 409, cancelled: null },
};

const cases = ORDER_STATUSES.flatMap((from) => ORDER_STATUSES.map((to) => [from, to, EXPECTED[from][to]] as const));

function conflictOf(move: () => unknown): unknown {
  try {
    move();
  } catch (err) {
    return err;
  }
  return undefined;
}

describe("order status, event-driven (transition)", () => {
  it.each(cases)("%s → %s gives %s", (from, to, expected) => {
    if (expected === 409) {
      const error = conflictOf(() => orderStatus.transition(from, to));
      expect(error).toBeInstanceOf(Errors.MoleculerClientError);
      expect(error).toMatchObject({ code: 409, type: "ILLEGAL_TRANSITION", data: { status: from, target: to } });
    } else {
      expect(orderStatus.transition(from, to)).toBe(expected);
    }
  });
});

describe("order status, client-driven (command)", () => {
  it.each(cases)("%s → %s gives %s (already happened is a 409 too)", (from, to, expected) => {
    if (typeof expected === "string") {
      expect(orderStatus.command(from, to)).toBe(expected);
    } else {
      expect(conflictOf(() => orderStatus.command(from, to))).toMatchObject({ code: 409, data: { status: from } });
    }
  });
});

describe("the payment of its invoice", () => {
  it.each([
    ["pending", "not yet"],
    ["invoiced", "paid"],
    ["paid", null],
    ["cancelled", null],
  ] as const)("makes a %s order %s: a cancelled order stays cancelled (its invoice is credited)", (from, to) => {
    expect(afterInvoicePaid(from)).toBe(to);
  });
});
