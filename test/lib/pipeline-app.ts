// The real app (createApp, full middleware chain) plus test-only routes, called like the Worker with a chosen env.
// Used where a behaviour needs a handler that production must not have (one that throws, fails once, …).
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { createApp } from "../../src/app";
import type { Bindings } from "../../src/env";
import { BASE } from "../helpers/http";

export type TestApp = ReturnType<typeof createApp>;

export function pipelineApp(extend: (app: TestApp) => void = () => {}) {
  const app = createApp();
  extend(app);
  return app;
}

export async function send(
  app: TestApp,
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string>; env?: Partial<Bindings> } = {},
) {
  const headers: Record<string, string> = { ...options.headers };
  let body: string | undefined;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers["content-type"] ??= "application/json";
  }
  const ctx = createExecutionContext();
  const res = await app.fetch(
    new Request(`${BASE}${path}`, { method, headers, body }),
    { ...env, ...options.env },
    ctx,
  );
  await waitOnExecutionContext(ctx);
  const text = await res.text();
  let parsed: any; // Envelopes are asserted field by field.
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = { raw: text };
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

/** Sends a prepared body (multipart, bytes) with exactly the given headers. */
export async function sendRaw(
  app: TestApp,
  path: string,
  body: BodyInit,
  headers: Record<string, string>,
  method = "POST",
) {
  const ctx = createExecutionContext();
  const res = await app.fetch(new Request(`${BASE}${path}`, { method, headers, body }), env, ctx);
  await waitOnExecutionContext(ctx);
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: JSON.parse(text), text };
}

/** Row counts of every table in D1, to prove a request left no trace. */
export async function tableCounts(): Promise<Record<string, number>> {
  const { results } = await env.DB.prepare(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name != 'd1_migrations'",
  ).all<{ name: string }>();
  const counts: Record<string, number> = {};
  for (const { name } of results) {
    const row = await env.DB.prepare(`SELECT COUNT(*) AS n FROM "${name}"`).first<{ n: number }>();
    counts[name] = row?.n ?? 0;
  }
  return counts;
}

/** Sleeps past the end of the current minute when close to it, so a fixed 60 s window holds for the next few requests. */
export async function awayFromMinuteEdge(marginMs = 3000) {
  const intoMinute = Date.now() % 60_000;
  if (intoMinute > 60_000 - marginMs) await new Promise((r) => setTimeout(r, 60_000 - intoMinute + 50));
}

/** A fresh client IP per test, so each test has its own rate-limit bucket and idempotency scope. */
export function freshIp(): string {
  const [a, b, c] = crypto.getRandomValues(new Uint8Array(3));
  return `10.${a}.${b}.${c}`;
}
