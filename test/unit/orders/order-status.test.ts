import { Errors } from "moleculer";
import { ORDER_STATUSES, type OrderStatus } from "../../../contracts/orders";
import { transition } from "../../../services/orders/order-status";

/** Every (current, target) pair: the new status, null for "already happened", or 409. */
const EXPECTED: Record<OrderStatus, Record<OrderStatus, OrderStatus | null | 409>> = {
  pending: { pending: null, invoiced: "invoiced", paid: 409, cancelled: "cancelled" },
  invoiced: { pending: null, invoiced: null, paid: "paid", cancelled: "cancelled" },
  paid: { pending: null, invoiced: null, paid: null, cancelled: 409 },
  cancelled: { pending: 409, invoiced: 409, paid: 409, cancelled: null },
};

describe("order status transitions", () => {
  const cases = ORDER_STATUSES.flatMap((from) => ORDER_STATUSES.map((to) => [from, to, EXPECTED[from][to]] as const));

  it.each(cases)("%s → %s gives %s", (from, to, expected) => {
    if (expected === 409) {
      let error: unknown;
      try {
        transition(from, to);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(Errors.MoleculerClientError);
      expect(error).toMatchObject({ code: 409, type: "ILLEGAL_TRANSITION", data: { status: from, target: to } });
    } else {
      expect(transition(from, to)).toBe(expected);
    }
  });
});
