import { paramsFromSources } from "../../../services/gateway/param-sources";
import { routeOf } from "../../../services/gateway/routes";

const failures = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return (err as { data: { field: string; type: string }[] }).data.map(({ field, type }) => [field, type]);
  }
  throw new Error("nothing was refused");
};

describe("paramsFromSources", () => {
  const create = routeOf("POST", "/orders");
  const cancel = routeOf("POST", "/orders/:id/cancel");
  const get = routeOf("GET", "/orders/:id");
  const list = routeOf("HEAD", "/orders");

  it("takes a POST route's fields from the body, a GET route's from the query, path parameters from the path", () => {
    expect(paramsFromSources(create, { body: { customerId: "c" }, query: {}, params: {} })).toEqual({ customerId: "c" });
    expect(paramsFromSources(cancel, { body: undefined, query: {}, params: { id: "1" } })).toEqual({ id: "1" });
    expect(paramsFromSources(list, { body: undefined, query: { status: "paid" }, params: {} })).toEqual({ status: "paid" });
  });

  it("refuses each query parameter of a POST", () => {
    expect(
      failures(() => paramsFromSources(create, { body: { customerId: "c" }, query: { customerId: "q", coupon: "x" }, params: {} })),
    ).toEqual([
      ["customerId", "queryNotAllowed"],
      ["coupon", "queryNotAllowed"],
    ]);
  });

  it("refuses a body field or query parameter named like a path parameter", () => {
    expect(failures(() => paramsFromSources(cancel, { body: { id: "2" }, query: {}, params: { id: "1" } }))).toEqual([
      ["id", "pathParameter"],
    ]);
    expect(failures(() => paramsFromSources(get, { body: undefined, query: { id: "2" }, params: { id: "1" } }))).toEqual([
      ["id", "pathParameter"],
    ]);
  });

  it("leaves a field named like something every object inherits to the action's validation", () => {
    expect(paramsFromSources(cancel, { body: { toString: "x" }, query: {}, params: { id: "1" } })).toEqual({ toString: "x", id: "1" });
  });
});
