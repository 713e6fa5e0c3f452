import { allowedMethods } from "../../../services/gateway/methods";
import { aliases } from "../../../services/gateway/routes";

/** moleculer-web's aliases as far as allowedMethods sees them: `:id` matches one path segment. */
const aliasList = Object.keys(aliases).map((key) => {
  const [method, path] = key.split(" ");
  const pattern = new RegExp(`^${path.replace(/:\w+/g, "[^/]+")}$`);
  return { method, match: (url: string) => pattern.test(url) };
});

describe("allowedMethods", () => {
  it.each([
    ["/orders", ["GET", "HEAD", "OPTIONS", "POST"]],
    ["/orders/42", ["GET", "HEAD", "OPTIONS"]],
    ["/orders/42/cancel", ["OPTIONS", "POST"]],
    ["/health", ["GET", "HEAD", "OPTIONS"]],
  ])("%s allows %j: the methods of its routes, HEAD with GET, and OPTIONS", (path, methods) => {
    expect(allowedMethods(aliasList, path)).toEqual(methods);
  });

  it("allows nothing on a path no route has", () => {
    expect(allowedMethods(aliasList, "/customers")).toEqual([]);
  });
});
