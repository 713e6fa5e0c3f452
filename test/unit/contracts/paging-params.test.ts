import { Validators } from "moleculer";
import { listInvoicesParams } from "../../../contracts/invoices";
import { listOrdersParams } from "../../../contracts/orders";

// The validator the actions run with (Moleculer's, with its options), not a bare fastest-validator.
const validator = new Validators.Fastest();
const checkOrders = validator.compile(listOrdersParams);
const checkInvoices = validator.compile(listInvoicesParams);

type Failure = { field: string; type: string; message: string };
const failuresOf = (check: typeof checkOrders, query: Record<string, unknown>) => {
  const result = check(query);
  return result === true ? [] : (result as unknown as Failure[]).map(({ field, type, message }) => ({ field, type, message }));
};

describe("paging query parameters", () => {
  it("turns decimal digits in range into numbers; pageSize defaults to 20, page stays absent", () => {
    const query: Record<string, unknown> = { page: "10000", pageSize: "007" };
    expect(checkOrders(query)).toBe(true);
    expect(query).toEqual({ page: 10_000, pageSize: 7 });

    const bare: Record<string, unknown> = {};
    expect(checkInvoices(bare)).toBe(true);
    expect(bare).toEqual({ pageSize: 20 });
  });

  it("takes numbers from callers inside the cluster, held to the same range", () => {
    expect(checkOrders({ page: 3, pageSize: 100 })).toBe(true);
    expect(failuresOf(checkOrders, { page: 2.5 })).toEqual([expect.objectContaining({ field: "page", type: "integerDigits" })]);
    expect(failuresOf(checkOrders, { pageSize: 101 })).toEqual([expect.objectContaining({ field: "pageSize", type: "numberMax" })]);
  });

  it.each<[string, unknown, string]>([
    ["an exponent", "1e2", "integerDigits"],
    ["hexadecimal", "0x10", "integerDigits"],
    ["a leading space", " 5", "integerDigits"],
    ["an empty value", "", "integerDigits"],
    ["a sign", "+1", "integerDigits"],
    ["a minus", "-1", "integerDigits"],
    ["a fraction", "1.0", "integerDigits"],
    ["a repeated parameter", ["1", "2"], "integerDigits"],
    ["zero", "0", "numberMin"],
    ["past the deepest page", "10001", "numberMax"],
    ["more digits than any number holds", "9".repeat(400), "numberMax"],
  ])("refuses %s as a page (%o → %s), naming the parameter", (_, page, type) => {
    expect(failuresOf(checkOrders, { page })).toEqual([{ field: "page", type, message: expect.stringContaining("'page'") }]);
  });

  it.each<[unknown, string]>([
    ["0", "numberMin"],
    ["101", "numberMax"],
    ["ten", "integerDigits"],
    ["1e1", "integerDigits"],
  ])("refuses pageSize %o (%s)", (pageSize, type) => {
    expect(failuresOf(checkInvoices, { pageSize })).toEqual([{ field: "pageSize", type, message: expect.stringContaining("'pageSize'") }]);
  });

  it("takes cursors that are UUIDs only", () => {
    const id = "6f1c1a52-8e8b-4b53-9f3f-2d2b0c8a1e11";
    expect(checkOrders({ starting_after: id })).toBe(true);
    expect(checkOrders({ ending_before: id })).toBe(true);
    expect(failuresOf(checkOrders, { starting_after: "42" })).toEqual([expect.objectContaining({ field: "starting_after", type: "uuid" })]);
    expect(failuresOf(checkInvoices, { ending_before: "" })).toEqual([expect.objectContaining({ field: "ending_before" })]);
  });
});
