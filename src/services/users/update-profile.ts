// The caller changes their own profile: registration's rule (a business account names its company) is checked on
// the profile as it would be after the change; the change and its audit entry are one D1 batch.
import { personNameField } from "../../schemas/auth";
import { z } from "@hono/zod-openapi";
import type { Bindings } from "../../env";
import { db } from "../../db/client";
import { ACCOUNT_TYPES } from "../../db/schema/identity";
import { updateUserStatement, type UserRow } from "../../db/users";
import { auditInsert } from "../../lib/audit";
import { fail } from "../../lib/errors";
import { liveUser, type UserActor } from "./live-user";

export const profileUpdateInput = z
  .object({
    name: personNameField.optional(),
    company: z.string().trim().max(200).nullable().optional(),
    industry: z.string().trim().max(100).nullable().optional(),
    accountType: z.enum(ACCOUNT_TYPES).optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, "give at least one of name, company, industry, accountType")
  .openapi("ProfileUpdate");
export type ProfileUpdateInput = z.infer<typeof profileUpdateInput>;

/**
 * Applies `input` to the actor's profile.
 * @returns the user row as it now is
 * @throws VAL001 when a business account would have no company; RES001 when the account is gone
 */
export async function updateProfile(env: Bindings, actor: UserActor, input: ProfileUpdateInput): Promise<UserRow> {
  const user = await liveUser(env.DB, actor.userId);
  const accountType = input.accountType ?? user.accountType;
  const company = input.company !== undefined ? input.company : user.company;
  if (accountType === "business" && !company) {
    throw fail.invalid([{ path: "company", message: "is required for a business account" }]);
  }
  const now = new Date();
  const changes = { ...input, updatedAt: now.toISOString() };
  const database = db(env.DB);
  await database.batch([
    updateUserStatement(database, user.id, changes),
    auditInsert(
      env,
      {
        action: "user.profile.updated",
        actorId: user.id,
        ip: actor.ip,
        userAgent: actor.userAgent,
        resourceType: "user",
        resourceId: user.id,
        data: { fields: Object.keys(input) },
      },
      now,
    ),
  ]);
  return { ...user, ...changes };
}
