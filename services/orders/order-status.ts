import type { OrderStatus } from "../../contracts/orders";
import { stateMachine } from "../../mixins/state-machine";

/** pending → invoiced → paid; pending | invoiced → cancelled. */
export const orderStatus = stateMachine<OrderStatus>(
  "Order",
  {
    pending: ["invoiced", "cancelled"],
    invoiced: ["paid", "cancelled"],
    paid: [],
    cancelled: [],
  },
  { pending: 0, invoiced: 1, paid: 2 },
);
