import type { RunningServer } from "./server";

export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

/** A thin HTTP client for specs: JSON in, parsed JSON (or text) out, the API key sent unless told not to. */
export function apiClient(server: Pick<RunningServer, "url" | "apiKey">) {
  async function call<T = unknown>(
    method: string,
    path: string,
    options: {
      body?: unknown;
      rawBody?: string;
      headers?: Record<string, string>;
      apiKey?: string | null;
      redirect?: RequestRedirect;
    } = {},
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    const key = options.apiKey === undefined ? server.apiKey : options.apiKey;
    if (key !== null) headers["X-Api-Key"] = key;
    let body: string | undefined = options.rawBody;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers["Content-Type"] = "application/json";
    }
    if (body !== undefined) headers["Content-Type"] ??= "application/json";
    const response = await fetch(`${server.url}${path}`, { method, headers, body, redirect: options.redirect });
    const text = await response.text();
    let parsed: unknown = text;
    if ((response.headers.get("content-type") ?? "").includes("application/json") && text) parsed = JSON.parse(text);
    return { status: response.status, headers: response.headers, body: parsed as T, text };
  }
  return {
    call,
    get: <T = unknown>(path: string, options?: Parameters<typeof call>[2]) => call<T>("GET", path, options),
    post: <T = unknown>(path: string, body?: unknown, options?: Parameters<typeof call>[2]) => call<T>("POST", path, { ...options, body }),
    put: <T = unknown>(path: string, body?: unknown, options?: Parameters<typeof call>[2]) => call<T>("PUT", path, { ...options, body }),
    delete: <T = unknown>(path: string, options?: Parameters<typeof call>[2]) => call<T>("DELETE", path, options),
  };
}

export type ApiClient = ReturnType<typeof apiClient>;

/** Poll until `check` passes (for state that settles asynchronously, like a status change). */
export async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await read();
  while (!check(last)) {
    if (Date.now() > deadline) throw new Error(`condition not met in ${timeoutMs} ms; last value: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    last = await read();
  }
  return last;
}
