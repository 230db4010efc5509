// Opaque high-entropy secrets (refresh tokens, API keys, reset tokens): how they look and how they are hashed at rest.
import { randomToken } from "./ids";
import { sha256Hex } from "./crypto";

/** API keys start with this (minted in src/db/api-keys.ts); the auth middleware routes such bearers to key lookup. */
export const API_KEY_MARKER = "esk_";

export interface OpaqueSecret {
  /** Shown to the client once. */
  secret: string;
  /** Stored. SHA-256 is enough for ≥ 238-bit random secrets: there is nothing to brute-force. */
  hash: string;
}

/** `<marker><43 base62 chars>` ≈ 256 bits. */
export function newOpaqueSecret(marker: string, length = 43): OpaqueSecret {
  const secret = `${marker}${randomToken(length)}`;
  return { secret, hash: hashOpaqueSecret(secret) };
}

export function hashOpaqueSecret(secret: string): string {
  return sha256Hex(secret);
}

export function isApiKeySecret(token: string): boolean {
  return token.startsWith(API_KEY_MARKER);
}
