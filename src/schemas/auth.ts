// Request/response schemas of the identity routes, shared by the auth route modules (and /users/me).
import { z } from "@hono/zod-openapi";
import { isoDate } from "../lib/openapi";
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from "../lib/passwords";
import { userSchema } from "./user";
import { renderableText } from "../lib/fonts";
import { oneLine } from "../domain/one-line-text";

export { userSchema };

export const userEnvelopeData = z.object({ user: userSchema });

export const emailField = z.email().max(254).openapi({ example: "ada@example.com" });
export const passwordField = z
  .string()
  .min(PASSWORD_MIN_LENGTH, `must be at least ${PASSWORD_MIN_LENGTH} characters`)
  .max(PASSWORD_MAX_LENGTH, `must be at most ${PASSWORD_MAX_LENGTH} characters`)
  .openapi({ example: "correct horse battery staple" });
/** Login accepts what was set under any earlier policy, but never unbounded input. */
export const loginPasswordField = z.string().min(1).max(PASSWORD_MAX_LENGTH);

/**
 * A person's name as they give it: one line (it reaches email text and headers) that every document can show — it
 * is the sender on executed contracts and certificates and a party's name on generated escrow contracts, so a
 * character no font covers is refused here (VAL001) rather than breaking those documents later.
 */
export const personNameField = z.string().trim().min(1).max(200).superRefine(oneLine).superRefine(renderableText);

export const tokenPairSchema = z
  .object({
    accessToken: z.string().openapi({ description: "EdDSA JWT, verify with /.well-known/jwks.json" }),
    refreshToken: z.string().openapi({ description: "opaque; single use: each refresh returns a new one" }),
    tokenType: z.literal("Bearer"),
    expiresIn: z.number().int().openapi({ example: 900, description: "access token lifetime in seconds" }),
    user: userSchema,
  })
  .openapi("TokenPair");

export const sessionSchema = z
  .object({
    id: z.string().openapi({ example: "ses_3kTq9ZyP0aB1cD2eF3gH" }),
    userAgent: z.string().nullable(),
    ip: z.string().nullable(),
    createdAt: isoDate,
    lastUsedAt: isoDate,
    current: z.boolean(),
  })
  .openapi("Session");

export const acceptedSchema = z.object({ accepted: z.literal(true) }).openapi("Accepted");

export const loginBody = z
  .object({
    email: emailField,
    password: loginPasswordField,
    mfaCode: z.string().trim().min(6).max(20).optional().openapi({ description: "TOTP code or a recovery code" }),
  })
  .openapi("Login");
