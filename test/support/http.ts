import http from "node:http";
import net from "node:net";

export interface HttpResult<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

/** A JSON client for the gateway; a body that is not JSON comes back as text. */
export function httpClient(baseUrl: string) {
  async function request<T = any>(method: string, path: string, init: { body?: string; headers?: Record<string, string> } = {}) {
    const res = await fetch(`${baseUrl}${path}`, { method, body: init.body, headers: init.headers });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // left as text
    }
    return { status: res.status, headers: res.headers, body } as HttpResult<T>;
  }
  return {
    get: <T = any>(path: string) => request<T>("GET", path),
    post: <T = any>(path: string, json: unknown) =>
      request<T>("POST", path, { body: JSON.stringify(json), headers: { "content-type": "application/json" } }),
    raw: request,
  };
}

export type HttpClient = ReturnType<typeof httpClient>;

export interface NodeHttpResult<T = any> {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  body: T;
}

/**
 * One request through Node's `http` on a connection of its own, for what fetch will not send: a
 * body on GET or HEAD, raw bytes with any Content-Encoding or charset.
 */
export function nodeRequest<T = any>(
  baseUrl: string,
  method: string,
  path: string,
  { headers = {}, body }: { headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<NodeHttpResult<T>> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${baseUrl}${path}`, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("error", reject);
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        resolve({ status: res.statusCode!, headers: res.headers, text, body: parsed(text) as T });
      });
    });
    req.on("error", reject);
    req.end(body);
  });
}

/**
 * Writes `request` as it is to a new connection and reads the answer until the server closes it (a
 * request must ask for that: `Connection: close`). The connection is not half-closed: Node's server
 * would drop a request whose client did.
 */
export function rawExchange(baseUrl: string, request: string): Promise<{ status: number; headers: Record<string, string>; body: any }> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => socket.write(request));
    const chunks: Buffer[] = [];
    socket.on("data", (chunk) => chunks.push(chunk));
    socket.on("error", reject);
    socket.on("close", () => {
      const [head, ...rest] = Buffer.concat(chunks).toString("utf8").split("\r\n\r\n");
      const [statusLine, ...lines] = head.split("\r\n");
      const headers = Object.fromEntries(
        lines.map((line) => [line.slice(0, line.indexOf(":")).toLowerCase(), line.slice(line.indexOf(":") + 1).trim()]),
      );
      resolve({ status: Number(statusLine.split(" ")[1]), headers, body: parsed(rest.join("\r\n\r\n")) });
    });
  });
}

function parsed(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
