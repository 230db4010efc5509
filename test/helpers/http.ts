// A tiny client for the Worker under test: JSON in, the parsed envelope out.
import { exports } from "cloudflare:workers";

export const BASE = "https://escra.test";

export interface ApiResult<T = any> {
  status: number;
  headers: Headers;
  // Envelopes are asserted field by field in tests, so the body stays loosely typed here.
  // `error` is typed as present so assertions read plainly; on a success it is undefined at run time and the assertion fails loudly.
  body: { success: boolean; data: T; error: { code: string; message: string; details?: any }; [k: string]: any };
}

export async function call<T = any>(
  method: string,
  path: string,
  options: { body?: unknown; token?: string; headers?: Record<string, string>; raw?: BodyInit } = {},
): Promise<ApiResult<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: BodyInit | undefined = options.raw;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers["content-type"] ??= "application/json";
  }
  const res = await exports.default.fetch(new Request(`${BASE}${path}`, { method, headers, body }));
  // Decoded from bytes rather than `res.text()`: workerd warns on the console when a PDF or other binary body is read
  // as text, which would be noise in a green run (the envelope tests never read such bodies through `body`).
  const text = new TextDecoder().decode(await res.arrayBuffer());
  let parsed: any;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = { raw: text };
  }
  return { status: res.status, headers: res.headers, body: parsed };
}

export function fetchWorker(path: string, init?: RequestInit) {
  return exports.default.fetch(new Request(`${BASE}${path}`, init));
}
