// Changing a partner application (PATCH /oauth/applications/{id}): its scopes stay within the owner's role.
// Narrowing them narrows every token already issued at once; widening grants nothing until a user consents again.
import type { z } from "@hono/zod-openapi";
import type { Bindings, Principal } from "../../env";
import { db } from "../../db/client";
import { applicationView, updateApplicationStatement } from "../../db/oauth";
import { assertScopesWithinRole } from "../../lib/auth";
import { auditInsert } from "../../lib/audit";
import { fail } from "../../lib/errors";
import type { updateApplicationBody } from "../../schemas/oauth";
import { ownApplication } from "./own-application";

export type UpdateApplicationInput = z.infer<typeof updateApplicationBody>;

/**
 * @param origin the request's IP and user agent, for the audit entry
 * @returns the changed application's view
 * @throws ApiError AUTH003 when a scope is beyond the owner's role; RES001 for an application that is not theirs
 *   (or was deleted meanwhile)
 */
export async function updateApplication(
  env: Pick<Bindings, "DB">,
  principal: Principal,
  id: string,
  input: UpdateApplicationInput,
  origin: { ip: string | null; userAgent: string | null },
) {
  if (input.scopes) {
    assertScopesWithinRole(principal.role, input.scopes, "An application cannot ask for scopes beyond your role");
  }
  const database = db(env.DB);
  await ownApplication(database, principal.userId, id);
  const now = new Date();
  const [updated] = await database.batch([
    updateApplicationStatement(database, id, input, now.toISOString()),
    auditInsert(
      env,
      {
        action: "oauth_application.updated",
        actorId: principal.userId,
        ...origin,
        resourceType: "oauth_application",
        resourceId: id,
        data: input,
      },
      now,
    ),
  ]);
  // Deleted between our read and the batch.
  if (!updated[0]) throw fail.notFound("Application");
  return applicationView(updated[0]);
}
