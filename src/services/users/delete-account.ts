// The caller erases their own account (GDPR Art. 17): the password confirms it (a wrong one is audited), then the
// erasure, then the account's live activity stops and its avatar object goes.
import type { Bindings } from "../../env";
import { auditInsert } from "../../lib/audit";
import { ApiError } from "../../lib/errors";
import { verifyPassword } from "../../lib/passwords";
import { log } from "../../lib/request-context";
import { stopAccountActivity } from "../accounts/stop-account-activity";
import { eraseUser } from "./erase-user";
import { liveUser, type UserActor } from "./live-user";

/**
 * @returns the erased user's id
 * @throws AUTH001 for a wrong password; RES001 when the account is gone
 */
export async function deleteAccount(env: Bindings, actor: UserActor, input: { password: string }): Promise<string> {
  const user = await liveUser(env.DB, actor.userId);
  const origin = { ip: actor.ip, userAgent: actor.userAgent };
  const now = new Date();
  if (!verifyPassword(input.password, user.passwordHash)) {
    await auditInsert(
      env,
      {
        action: "user.erasure.failed",
        actorId: user.id,
        ...origin,
        resourceType: "user",
        resourceId: user.id,
        data: { reason: "wrong_password" },
      },
      now,
    );
    throw new ApiError("AUTH001", "Wrong password");
  }
  await eraseUser(env, user, origin, now);
  await stopAccountActivity(env, user.id, "account erased");
  // After the batch, so a failed erasure never loses the avatar; if this delete fails the account is still erased
  // and the object is unreachable (avatarKey is null) — logged for an operator to remove.
  if (user.avatarKey) {
    await env.DOCUMENTS.delete(user.avatarKey).catch((error: unknown) =>
      log("error", "avatar delete after erasure failed", {
        userId: user.id,
        key: user.avatarKey,
        error: String(error),
      }),
    );
  }
  return user.id;
}
