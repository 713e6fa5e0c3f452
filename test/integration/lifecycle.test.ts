import type { Invoice } from "../../contracts/invoices";
import { isRestingState } from "../../contracts/lifecycle";
import type { Order } from "../../contracts/orders";
import type { Page } from "../../contracts/paging";
import { type Cluster, startCluster } from "../support/cluster";
import { eventually } from "../support/eventually";
import { createOrders, orderBody } from "../support/orders";

let cluster: Cluster;

beforeAll(async () => {
  cluster = await startCluster();
});

afterAll(async () => {
  await cluster?.stop();
});

const orderOf = async (id: string) => (await cluster.http.get<Order>(`/orders/${id}`)).body;

async function invoicedOrder(customerId: string): Promise<{ order: Order; invoice: Invoice }> {
  const created = await cluster.http.post<Order>("/orders", orderBody(customerId));
  return eventually(async () => {
    const order = await orderOf(created.body.id);
    expect(order.status).toBe("invoiced");
    const invoice = (await cluster.http.get<Invoice>(`/invoices/${order.invoiceId}`)).body;
    return { order, invoice };
  });
}

const cancel = (id: string) => cluster.http.raw("POST", `/orders/${id}/cancel`);
const pay = (id: string) => cluster.http.raw("POST", `/invoices/${id}/pay`);

describe("invoice numbering", () => {
  it("gives 200 concurrent orders the numbers 1 to 200 of the year, without gap or duplicate", async () => {
    const ids = await createOrders(cluster, 200, "numbering");
    const invoices = await eventually(
      async () => {
        const { body } = await cluster.http.get<Page<Invoice>>("/invoices?customerId=numbering&pageSize=100&page=1");
        const { body: rest } = await cluster.http.get<Page<Invoice>>("/invoices?customerId=numbering&pageSize=100&page=2");
        expect(body.total).toBe(200);
        return [...body.rows, ...rest.rows];
      },
      { attempts: 600 },
    );
    expect(new Set(invoices.map((i) => i.orderId))).toEqual(new Set(ids));
    const year = new Date(invoices[0].issuedAt).getUTCFullYear();
    expect(invoices.map((i) => i.number).sort()).toEqual(
      Array.from({ length: 200 }, (_, i) => `INV-${year}-${String(i + 1).padStart(6, "0")}`),
    );
  });
});

describe("pay: invoice open → paid, order invoiced → paid", () => {
  it("pays the invoice, then the order follows", async () => {
    const { order, invoice } = await invoicedOrder("payer");
    const paid = await pay(invoice.id);
    expect(paid.status).toBe(200);
    expect(paid.body).toMatchObject({ id: invoice.id, status: "paid", voidedAt: null });
    expect(Date.parse(paid.body.paidAt)).not.toBeNaN();
    await eventually(async () => expect((await orderOf(order.id)).status).toBe("paid"));

    expect(await pay(invoice.id)).toMatchObject({ status: 409, body: { type: "ILLEGAL_TRANSITION", data: { status: "paid" } } });
    expect(await cancel(order.id)).toMatchObject({ status: 409, body: { type: "ILLEGAL_TRANSITION", data: { status: "paid" } } });
  });
});

describe("cancel: order → cancelled, invoice open → void", () => {
  it("cancels an invoiced order and voids its invoice", async () => {
    const { order, invoice } = await invoicedOrder("canceller");
    const cancelled = await cancel(order.id);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ id: order.id, status: "cancelled" });
    const voided = await eventually(async () => {
      const { body } = await cluster.http.get<Invoice>(`/invoices/${invoice.id}`);
      expect(body.status).toBe("void");
      return body;
    });
    expect(Date.parse(voided.voidedAt!)).not.toBeNaN();
    expect(voided.paidAt).toBeNull();

    expect(await pay(invoice.id)).toMatchObject({ status: 409, body: { data: { status: "void" } } });
    expect(await cancel(order.id)).toMatchObject({ status: 409, body: { data: { status: "cancelled" } } });
  });

  it("cancels an order before its invoice exists; the invoice is issued, then voided", async () => {
    const created = await cluster.http.post<Order>("/orders", orderBody("early-cancel"));
    expect((await cancel(created.body.id)).status).toBe(200);
    const invoice = await eventually(async () => {
      const { body } = await cluster.http.get<Page<Invoice>>(`/invoices?orderId=${created.body.id}`);
      expect(body.rows).toHaveLength(1);
      expect(body.rows[0].status).toBe("void");
      return body.rows[0];
    });
    await eventually(async () => {
      expect(await orderOf(created.body.id)).toMatchObject({ status: "cancelled", invoiceId: invoice.id });
    });
  });
});

describe("a cancel racing a payment: the invoice decides (contracts/lifecycle.ts)", () => {
  it("pays an invoice whose order was cancelled meanwhile: the payment is credited back, nothing is parked", async () => {
    const { order, invoice } = await invoicedOrder("cancel-then-pay");
    expect((await cancel(order.id)).status).toBe(200);
    const paid = await pay(invoice.id);
    // Invoices may not know of the cancellation yet (200, then credited) or may have voided it already (409).
    expect([200, 409]).toContain(paid.status);
    const settled = await eventually(async () => {
      const { body } = await cluster.http.get<Invoice>(`/invoices/${invoice.id}`);
      expect(body.status).toBe(paid.status === 200 ? "credited" : "void");
      return body;
    });
    if (paid.status === 200) expect(settled).toMatchObject({ paidAt: paid.body.paidAt, voidedAt: null, creditedAt: expect.any(String) });
    expect((await orderOf(order.id)).status).toBe("cancelled");
  });

  it("sent at the same moment, many times over: every answer of 200 holds and every pair ends in the table", async () => {
    const pairs = await Promise.all(Array.from({ length: 20 }, (_, i) => invoicedOrder(`race-${i}`)));
    const answers = await Promise.all(pairs.map(({ order, invoice }) => Promise.all([cancel(order.id), pay(invoice.id)])));
    await eventually(async () => {
      for (const [i, { order, invoice }] of pairs.entries()) {
        const [cancelled, paid] = answers[i];
        const [now, its] = [await orderOf(order.id), (await cluster.http.get<Invoice>(`/invoices/${invoice.id}`)).body];
        expect([now.status, its.status, isRestingState(now.status, its.status)]).toEqual([now.status, its.status, true]);
        if (cancelled.status === 200) expect(now.status).toBe("cancelled");
        if (paid.status === 200) expect(its.paidAt).toBe(paid.body.paidAt);
        expect([cancelled.status, paid.status]).not.toContain(500);
      }
    });
    const { body } = await cluster.http.get("/ready");
    expect(body.consistency).toMatchObject({ orders: { outbox: { parked: 0 } }, invoices: { outbox: { parked: 0 } } });
  });
});

describe("lists", () => {
  it("filters orders by status and creation time, newest first", async () => {
    const { order } = await invoicedOrder("ranges");
    const from = encodeURIComponent(new Date(Date.parse(order.createdAt) - 1).toISOString());
    const to = encodeURIComponent(new Date(Date.parse(order.createdAt) + 1).toISOString());
    const inRange = await cluster.http.get<Page<Order>>(`/orders?customerId=ranges&createdFrom=${from}&createdTo=${to}&status=invoiced`);
    expect(inRange.body.rows.map((o) => o.id)).toEqual([order.id]);
    const after = await cluster.http.get<Page<Order>>(`/orders?customerId=ranges&createdFrom=${to}`);
    expect(after.body.total).toBe(0);
  });

  it("filters invoices by status", async () => {
    const { invoice } = await invoicedOrder("by-status");
    await pay(invoice.id);
    const { body } = await cluster.http.get<Page<Invoice>>("/invoices?customerId=by-status&status=paid");
    expect(body.rows.map((i) => i.id)).toEqual([invoice.id]);
  });
});

describe("bad input on the lifecycle routes", () => {
  it.each([
    ["POST", "/orders/nope/cancel", 422],
    ["POST", "/invoices/42/pay", 422],
    ["POST", "/orders/6f1c1a52-8e8b-4b53-9f3f-2d2b0c8a1e11/cancel", 404],
    ["POST", "/invoices/6f1c1a52-8e8b-4b53-9f3f-2d2b0c8a1e11/pay", 404],
    ["GET", "/orders?createdFrom=yesterday", 422],
    ["GET", "/orders/6f1c1a52-8e8b-4b53-9f3f-2d2b0c8a1e11/cancel", 405],
  ])("%s %s → %i", async (method, path, status) => {
    const res = await cluster.http.raw(method, path);
    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({ code: status });
  });
});
