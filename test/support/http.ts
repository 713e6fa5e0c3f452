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
