import http from "node:http";

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

function parsed(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
