// Standard Webhooks signing: `v1,<base64 HMAC-SHA256 of "id.timestamp.body">` keyed by the bytes after `whsec_`.
// During a rotation both secrets sign, space-separated, so a receiver holding either one verifies.
import { base64Decode, base64Encode, hmacSha256, randomBytes } from "../lib/crypto";

export const SECRET_PREFIX = "whsec_";
/** 32 random bytes: inside the 24–64 byte range Standard Webhooks recommends. */
const SECRET_BYTES = 32;

export function generateWebhookSecret(): string {
  return SECRET_PREFIX + base64Encode(randomBytes(SECRET_BYTES));
}

export function secretKeyBytes(secret: string): Uint8Array {
  if (!secret.startsWith(SECRET_PREFIX)) throw new Error("not a whsec_ secret");
  return base64Decode(secret.slice(SECRET_PREFIX.length));
}

export function signPayload(secret: string, messageId: string, timestampSeconds: number, body: string): string {
  return `v1,${base64Encode(hmacSha256(secretKeyBytes(secret), `${messageId}.${timestampSeconds}.${body}`))}`;
}

/** The `webhook-signature` header value: one signature per active secret, newest first. */
export function signatureHeader(
  secrets: readonly string[],
  messageId: string,
  timestampSeconds: number,
  body: string,
): string {
  return secrets.map((s) => signPayload(s, messageId, timestampSeconds, body)).join(" ");
}

/** The three Standard Webhooks headers for one attempt. */
export function webhookHeaders(
  secrets: readonly string[],
  messageId: string,
  now: Date,
  body: string,
): Record<string, string> {
  const timestamp = Math.floor(now.getTime() / 1000);
  return {
    "webhook-id": messageId,
    "webhook-timestamp": String(timestamp),
    "webhook-signature": signatureHeader(secrets, messageId, timestamp, body),
  };
}
