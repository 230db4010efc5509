// Minting an API key (POST /api-keys): its scopes lie within the owner's role, its secret is shown once, and the
// cap of active keys is kept in one guarded batch with the audit entry.
import type { z } from "@hono/zod-openapi";
import type { Bindings, Principal } from "../../env";
import { db } from "../../db/client";
import { apiKeyView, insertApiKeyWithinCap, newApiKeyRow } from "../../db/api-keys";
import { assertScopesWithinRole } from "../../lib/auth";
import { auditRow } from "../../lib/audit";
import { fail } from "../../lib/errors";
import { newId } from "../../lib/ids";
import type { createApiKeyBody } from "../../schemas/api-keys";

/** Keys a user may hold at once (active ones); plenty for integrations, bounded against abuse. */
export const MAX_ACTIVE_KEYS = 25;

export type CreateApiKeyInput = z.infer<typeof createApiKeyBody>;

/**
 * @param origin the request's IP and user agent, for the audit entry
 * @returns the key's view plus `secret` (the only time it is shown)
 * @throws ApiError AUTH003 when a scope is beyond the owner's role, RES002 at MAX_ACTIVE_KEYS active keys
 */
export async function createApiKey(
  env: Pick<Bindings, "DB">,
  principal: Principal,
  input: CreateApiKeyInput,
  origin: { ip: string | null; userAgent: string | null },
) {
  assertScopesWithinRole(principal.role, input.scopes, "A key cannot hold scopes beyond your role");
  const now = new Date();
  const { row, secret } = newApiKeyRow({
    id: newId("key"),
    userId: principal.userId,
    name: input.name,
    scopes: input.scopes,
    expiresAt: input.expiresAt ?? null,
    now: now.toISOString(),
  });
  const audit = auditRow(
    {
      action: "api_key.created",
      actorId: principal.userId,
      ...origin,
      resourceType: "api_key",
      resourceId: row.id,
      data: { name: row.name, scopes: input.scopes, expiresAt: row.expiresAt, prefix: row.prefix },
    },
    now,
  );
  if (!(await insertApiKeyWithinCap(db(env.DB), row, audit, MAX_ACTIVE_KEYS, now))) {
    throw fail.conflict(`At most ${MAX_ACTIVE_KEYS} active API keys; revoke one first`);
  }
  return { ...apiKeyView(row, now), secret };
}
