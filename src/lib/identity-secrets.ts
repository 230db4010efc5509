// How identity's low-entropy secrets are kept at rest: one-time codes and recovery codes as HMACs under a
// VAULT_KEK-derived pepper (a DB dump alone cannot brute-force 10^6 codes), TOTP secrets sealed with AES-256-GCM.
import type { Bindings } from "../env";
import { deriveKey, hmacSha256Hex, openText, seal } from "./crypto";

type KeyEnv = Pick<Bindings, "VAULT_KEK">;

const keys = new Map<string, Uint8Array>();
function key(env: KeyEnv, purpose: string): Uint8Array {
  const id = `${purpose}\n${env.VAULT_KEK}`;
  let k = keys.get(id);
  if (!k) {
    k = deriveKey(env.VAULT_KEK, purpose);
    keys.set(id, k);
  }
  return k;
}

/** Peppered hash of a short code, bound to its purpose and owner so a hash is useless in another row. */
export function hashCode(
  env: KeyEnv,
  purpose: "verify-email" | "verify-phone" | "recovery",
  ownerId: string,
  code: string,
): string {
  return hmacSha256Hex(key(env, "code-pepper"), `${purpose}:${ownerId}:${code}`);
}

/** Key of the login_throttles row for an email (the address itself is not stored there). */
export function emailThrottleKey(env: KeyEnv, normalisedEmail: string): string {
  return hmacSha256Hex(key(env, "email-key"), normalisedEmail);
}

/** Rate-limit bucket key for an email: keyed HMAC, so DO names never carry addresses. */
export const emailBucket = (env: KeyEnv, normalisedEmail: string) =>
  `email:${emailThrottleKey(env, normalisedEmail).slice(0, 32)}`;

export function sealTotpSecret(env: KeyEnv, userId: string, secretBase32: string): string {
  return seal(key(env, "totp"), secretBase32, `totp:${userId}`);
}

export function openTotpSecret(env: KeyEnv, userId: string, sealed: string): string {
  return openText(key(env, "totp"), sealed, `totp:${userId}`);
}

/**
 * The refresh token that replaces `presented`: derived (HMAC under a VAULT_KEK-derived key), not random, so a
 * second presentation within the rotation grace window can be answered with the same successor without storing
 * any token in clear. 256 bits, `ert_` + 64 hex chars; only its SHA-256 is stored, like every refresh token.
 */
export function refreshSuccessor(env: KeyEnv, presented: string): string {
  return `ert_${hmacSha256Hex(key(env, "refresh-successor"), presented)}`;
}
