// The caller's avatar: the image goes to R2 under a key of the user's, then the row points at it (with an audit
// entry, one D1 batch). The route has checked size and sniffed the type.
import type { Bindings } from "../../env";
import { db } from "../../db/client";
import { updateUserStatement, type UserRow } from "../../db/users";
import { auditInsert } from "../../lib/audit";
import { liveUser, type UserActor } from "./live-user";

export const avatarKeyOf = (userId: string) => `avatars/${userId}`;

/**
 * Stores `bytes` (an image of type `mime`, ≤ 2 MB) as the actor's avatar, replacing any earlier one.
 * @returns the user row as it now is
 * @throws RES001 when the account is gone
 */
export async function setAvatar(env: Bindings, actor: UserActor, bytes: Uint8Array, mime: string): Promise<UserRow> {
  const user = await liveUser(env.DB, actor.userId);
  const key = avatarKeyOf(user.id);
  await env.DOCUMENTS.put(key, bytes, { httpMetadata: { contentType: mime }, customMetadata: { userId: user.id } });
  const now = new Date();
  const database = db(env.DB);
  await database.batch([
    updateUserStatement(database, user.id, { avatarKey: key, updatedAt: now.toISOString() }),
    auditInsert(
      env,
      {
        action: "user.avatar.updated",
        actorId: user.id,
        ip: actor.ip,
        userAgent: actor.userAgent,
        resourceType: "user",
        resourceId: user.id,
        data: { type: mime, bytes: bytes.length },
      },
      now,
    ),
  ]);
  return { ...user, avatarKey: key };
}
