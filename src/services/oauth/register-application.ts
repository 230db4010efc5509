// Registering a partner application (POST /oauth/applications): its scopes must lie within the owner's role (as an
// API key's do), its client secret is minted and shown once, and the owner's cap is kept in one guarded batch.
import type { Bindings, Principal } from "../../env";
import { fail } from "../../lib/errors";
import { auditRow } from "../../lib/audit";
import { db } from "../../db/client";
import { applicationView, insertApplicationWithinCap, newApplicationRow } from "../../db/oauth";
import { MAX_APPLICATIONS } from "../../domain/oauth";
import { assertScopesWithinRole } from "../../lib/auth";
import type { z } from "@hono/zod-openapi";
import type { createApplicationBody } from "../../schemas/oauth";

export type RegisterApplicationInput = z.infer<typeof createApplicationBody>;

/**
 * @returns the application's view plus `clientSecret` (the only time it is shown)
 * @throws ApiError AUTH003 when a scope is beyond the owner's role, RES002 at the cap of MAX_APPLICATIONS
 */
export async function registerApplication(
  env: Pick<Bindings, "DB">,
  principal: Principal,
  input: RegisterApplicationInput,
  origin: { ip: string | null; userAgent: string | null },
  now = new Date(),
) {
  assertScopesWithinRole(principal.role, input.scopes, "An application cannot ask for scopes beyond your role");
  const { row, clientSecret } = newApplicationRow({
    ownerId: principal.userId,
    name: input.name,
    redirectUris: input.redirectUris,
    scopes: input.scopes,
    now: now.toISOString(),
  });
  const audit = auditRow(
    {
      action: "oauth_application.created",
      actorId: principal.userId,
      ...origin,
      resourceType: "oauth_application",
      resourceId: row.id,
      data: { name: row.name, scopes: input.scopes, redirectUris: input.redirectUris },
    },
    now,
  );
  if (!(await insertApplicationWithinCap(db(env.DB), row, audit, MAX_APPLICATIONS))) {
    throw fail.conflict(`At most ${MAX_APPLICATIONS} applications; delete one first`);
  }
  return { ...applicationView(row), clientSecret };
}
