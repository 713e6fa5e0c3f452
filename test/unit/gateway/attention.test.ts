import { attention } from "../../../services/gateway/attention";

describe("attention", () => {
  const outbox = { pending: 0, oldestPendingSeconds: 0, stuck: 0, parked: 0 };

  it("is empty when nothing needs an operator", () => {
    expect(attention({ orders: { outbox, ordersWithoutInvoice: 0, olderThanSeconds: 300 }, invoices: { outbox } })).toEqual([]);
  });

  it("names each service's stuck and parked messages and its orders without an invoice", () => {
    expect(
      attention({
        orders: { outbox: { ...outbox, pending: 4, stuck: 3 }, ordersWithoutInvoice: 2, olderThanSeconds: 300 },
        invoices: { outbox: { ...outbox, parked: 1 } },
      }),
    ).toEqual([
      "orders: 3 outbox message(s) stuck, pending past OUTBOX_STUCK_AFTER_SECONDS",
      "orders: 2 order(s) without an invoice after 300 s",
      "invoices: 1 message(s) parked; see invoices.parkedMessages",
    ]);
  });
});
