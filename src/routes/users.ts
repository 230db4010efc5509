// /users: the caller's own account — profile, avatar (R2), notification preferences, data export and erasure (GDPR).
// Export and erasure need a user session (not an API key); the rest take the profile:* / notifications:* scopes.
import { createRoute, z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env";
import { createRouter } from "../lib/router";
import {
  answers,
  answersRaw,
  bearerRoute,
  deletedSchema,
  envelope,
  fileContent,
  idParams,
  isoDate,
  jsonBody,
  openRoute,
} from "../lib/openapi";
import { contentDisposition } from "../lib/content-disposition";
import { ok } from "../lib/respond";
import { ApiError, fail } from "../lib/errors";
import { principalOf, publicRoute, requireScope, requireSession } from "../lib/auth";
import { auditInsert, requestActor, requestOrigin } from "../lib/audit";
import { AVATAR_TYPES, SNIFF_BYTES, sniffFileType } from "../lib/image-type";
import { db } from "../db/client";
import { findAvatarKey, userView } from "../db/users";
import { getNotificationPreferences, setNotificationPreferences } from "../services/users/set-notification-preferences";
import { DIGEST_LIMITS } from "../domain/notification-digest";
import { exportUserData } from "../db/user-data";
import { deleteAccount } from "../services/users/delete-account";
import { liveUser } from "../services/users/live-user";
import { setAvatar } from "../services/users/set-avatar";
import { profileUpdateInput, updateProfile } from "../services/users/update-profile";
import { userEnvelopeData } from "../schemas/auth";
import { NOTIFICATION_CHANNELS } from "../domain/notification-preferences";

export const AVATAR_MAX_BYTES = 2 * 1024 * 1024;
/** Room for the multipart envelope around a maximal file, so the early Content-Length check never refuses a valid upload. */
const MULTIPART_OVERHEAD_BYTES = 16 * 1024;

const channelsSchema = z.object(
  Object.fromEntries(NOTIFICATION_CHANNELS.map((ch) => [ch, z.boolean()])) as Record<
    (typeof NOTIFICATION_CHANNELS)[number],
    z.ZodBoolean
  >,
);
const digestSchema = z
  .object({
    threshold: z.number().int().min(DIGEST_LIMITS.threshold.min).max(DIGEST_LIMITS.threshold.max).openapi({
      description: "Notice emails per window sent one by one; later ones wait for the daily digest. 0 = off",
      example: 5,
    }),
    windowMinutes: z
      .number()
      .int()
      .min(DIGEST_LIMITS.windowMinutes.min)
      .max(DIGEST_LIMITS.windowMinutes.max)
      .openapi({ description: "The burst window, in minutes", example: 10 }),
  })
  .openapi("EmailDigestSettings");
const preferencesSchema = z
  .object({ preferences: z.record(z.string(), channelsSchema), digest: digestSchema })
  .openapi("NotificationPreferences");
const preferencesUpdate = z
  .object({
    preferences: z.record(z.string().max(100), channelsSchema.partial().strict()).optional(),
    digest: digestSchema.partial().strict().optional(),
  })
  .strict()
  .refine((b) => b.preferences !== undefined || b.digest !== undefined, "give preferences, digest or both")
  .openapi("NotificationPreferencesUpdate");

const avatarForm = z
  .object({
    file: z
      .instanceof(File)
      .openapi({ type: "string", format: "binary", description: "PNG, JPEG or WebP, at most 2 MB" }),
  })
  .openapi("AvatarUpload");

/** Refuses before parsing: a body that is not multipart (VAL004) or announces more than an avatar can be (VAL003). */
const avatarUploadGuard: MiddlewareHandler<AppEnv> = async (c, next) => {
  const type = (c.req.header("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== "multipart/form-data") {
    throw new ApiError("VAL004", "Send the avatar as multipart/form-data with a `file` field");
  }
  const length = Number(c.req.header("content-length") ?? "0");
  if (length > AVATAR_MAX_BYTES + MULTIPART_OVERHEAD_BYTES) throw tooLarge();
  await next();
};
const tooLarge = () =>
  new ApiError("VAL003", "The avatar may be at most 2 MB", { details: { maxBytes: AVATAR_MAX_BYTES } });

const getMeRoute = createRoute({
  ...bearerRoute("Users", requireScope("profile:read")),
  method: "get",
  path: "/users/me",
  summary: "The caller's profile",
  responses: answers(200, envelope(userEnvelopeData), "the caller", "AUTH003", "AUTH004"),
});

const patchMeRoute = createRoute({
  ...bearerRoute("Users", requireScope("profile:write")),
  method: "patch",
  path: "/users/me",
  summary: "Update the caller's profile",
  request: { body: jsonBody(profileUpdateInput) },
  responses: answers(200, envelope(userEnvelopeData), "updated", "AUTH003", "AUTH004"),
});

const putAvatarRoute = createRoute({
  ...bearerRoute("Users", requireScope("profile:write"), avatarUploadGuard),
  method: "put",
  path: "/users/me/avatar",
  summary: "Upload the caller's avatar (PNG, JPEG or WebP by content, ≤ 2 MB)",
  description:
    "The type is read from the file's first bytes; the declared type is ignored. Replaces any earlier avatar.",
  request: { body: { content: { "multipart/form-data": { schema: avatarForm } }, required: true } },
  responses: answers(
    200,
    envelope(userEnvelopeData),
    "stored; `user.avatarUrl` serves it",
    "AUTH003",
    "AUTH004",
    "VAL003",
    "VAL004",
  ),
});

const getAvatarRoute = createRoute({
  ...openRoute("Users", publicRoute()),
  method: "get",
  path: "/users/{id}/avatar",
  summary: "A user's avatar image (public, so it works in <img> tags)",
  request: { params: idParams },
  responses: answersRaw(
    200,
    fileContent("the image, in its detected type", ...AVATAR_TYPES.map((t) => t.mime)),
    "RES001",
  ),
});

const getPreferencesRoute = createRoute({
  ...bearerRoute("Users", requireScope("notifications:read")),
  method: "get",
  path: "/users/me/notification-preferences",
  summary: "Per event type and channel (in_app, email, sms): whether the caller is notified",
  responses: answers(200, envelope(preferencesSchema), "every event type, defaults filled in", "AUTH003", "AUTH004"),
});

const putPreferencesRoute = createRoute({
  ...bearerRoute("Users", requireScope("notifications:write")),
  method: "put",
  path: "/users/me/notification-preferences",
  summary: "Set channels for some event types and the email digest (others keep their value)",
  description:
    "Event types must come from the event catalog; unknown ones are VAL001. `digest` sets how many notice emails " +
    "arrive one by one within `windowMinutes` before the rest wait for the daily digest (07:00 UTC; threshold 0 " +
    "turns it off; signing requests never wait). `sms: true` needs a verified phone " +
    "(POST /users/me/phone, POST /auth/verify-phone), else 409 RES002.",
  request: { body: jsonBody(preferencesUpdate) },
  responses: answers(
    200,
    envelope(preferencesSchema),
    "the full preferences after the change",
    "AUTH003",
    "AUTH004",
    "RES002",
  ),
});

const exportRoute = createRoute({
  ...bearerRoute("Users", requireSession()),
  method: "get",
  path: "/users/me/export",
  summary: "Everything Escra holds about the caller, as JSON (GDPR access/portability)",
  description:
    "One key per section; list sections hold at most 1,000 rows, and `truncated` names those that reached it. " +
    "A large account gets its complete copy from POST /users/me/exports (same document, every row, emailed link).",
  responses: answers(
    200,
    envelope(z.object({ exportedAt: isoDate }).catchall(z.unknown()).openapi("UserExport")),
    "the export",
    "AUTH003",
    "AUTH004",
  ),
});

const deleteMeRoute = createRoute({
  ...bearerRoute("Users", requireSession()),
  method: "delete",
  path: "/users/me",
  summary: "Erase the caller's account (GDPR); the password confirms it",
  description:
    "Name and email become pseudonyms, the password hash, MFA, sessions, API keys, preferences and avatar are " +
    "removed; records other parties rely on (contracts, signatures, audit) stay under the pseudonymous id. " +
    "The email address can register again afterwards.",
  request: { body: jsonBody(z.object({ password: z.string().min(1).max(1024) }).openapi("DeleteAccount")) },
  responses: answers(200, envelope(deletedSchema), "erased", "AUTH001", "AUTH003", "AUTH004"),
});

export const userRoutes = createRouter()
  .openapi(getMeRoute, async (c) => {
    const user = await liveUser(c.env.DB, principalOf(c).userId);
    return ok(c, { user: userView(user) });
  })
  .openapi(patchMeRoute, async (c) => {
    const user = await updateProfile(c.env, requestActor(c), c.req.valid("json"));
    return ok(c, { user: userView(user) });
  })
  .openapi(putAvatarRoute, async (c) => {
    const { file } = c.req.valid("form");
    if (file.size > AVATAR_MAX_BYTES) throw tooLarge();
    if (file.size === 0) throw fail.invalid([{ path: "file", message: "the file is empty" }]);
    const bytes = new Uint8Array(await file.arrayBuffer());
    const type = sniffFileType(bytes.subarray(0, SNIFF_BYTES), AVATAR_TYPES);
    if (!type) throw new ApiError("VAL004", "The avatar must be a PNG, JPEG or WebP image");
    const user = await setAvatar(c.env, requestActor(c), bytes, type.mime);
    return ok(c, { user: userView(user) });
  })
  .openapi(getAvatarRoute, async (c) => {
    const { id } = c.req.valid("param");
    const avatarKey = await findAvatarKey(c.env.DB, id);
    const object = avatarKey ? await c.env.DOCUMENTS.get(avatarKey) : null;
    if (!object) throw fail.notFound("Avatar");
    const headers = new Headers();
    object.writeHttpMetadata(headers);
    headers.set("etag", object.httpEtag);
    headers.set("cache-control", "public, max-age=300");
    const ext = (object.httpMetadata?.contentType ?? "image/png").split("/")[1];
    headers.set("content-disposition", contentDisposition("inline", `avatar-${id}.${ext}`));
    headers.set("content-length", String(object.size));
    // A raw image response: the envelope does not apply to downloads (API.md "Conventions").
    return new Response(object.body, { status: 200, headers }) as never;
  })
  .openapi(getPreferencesRoute, async (c) => {
    return ok(c, await getNotificationPreferences(c.env, principalOf(c)));
  })
  .openapi(putPreferencesRoute, async (c) => {
    return ok(c, await setNotificationPreferences(c.env, principalOf(c), c.req.valid("json"), requestOrigin(c)));
  })
  .openapi(exportRoute, async (c) => {
    const principal = principalOf(c);
    const user = await liveUser(c.env.DB, principal.userId);
    const data = await exportUserData(db(c.env.DB), user);
    const now = new Date();
    await auditInsert(
      c.env,
      {
        action: "user.data.exported",
        actorId: user.id,
        ...requestOrigin(c),
        resourceType: "user",
        resourceId: user.id,
      },
      now,
    );
    c.header("content-disposition", contentDisposition("attachment", `escra-export-${user.id}.json`));
    return ok(c, { exportedAt: now.toISOString(), ...data });
  })
  .openapi(deleteMeRoute, async (c) => {
    const id = await deleteAccount(c.env, requestActor(c), c.req.valid("json"));
    return ok(c, { id, deleted: true as const });
  });
