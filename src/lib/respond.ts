// The success envelope of API.md; every handler answers through these so metadata is uniform.
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AppEnv } from "../env";

export const API_VERSION = "v1" as const;

export function metadata(c: Context<AppEnv>) {
  return { timestamp: new Date().toISOString(), requestId: c.get("requestId") ?? "", version: API_VERSION };
}

export function ok<T, S extends ContentfulStatusCode = 200>(c: Context<AppEnv>, data: T, status?: S) {
  return c.json({ success: true as const, data, metadata: metadata(c) }, (status ?? 200) as S);
}
