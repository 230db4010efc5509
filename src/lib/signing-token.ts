// The personal signing link's token: HMAC-SHA256 (key derived from VAULT_KEK for this purpose only) over
// { contractId, signerId, expiry }, so it acts for exactly one party of one contract, without an account, briefly.
import { base64UrlDecode, base64UrlEncode, deriveKey, hmacSha256, timingSafeEqual } from "./crypto";

export const SIGNING_TOKEN_TTL_HOURS = 72;
const PREFIX = "est1";

export interface SigningTokenClaims {
  contractId: string;
  signerId: string;
  /** Expiry, epoch seconds. */
  exp: number;
}

const key = (secret: string) => deriveKey(secret, "signing-token");
const mac = (secret: string, body: string) => base64UrlEncode(hmacSha256(key(secret), `${PREFIX}.${body}`));

export function issueSigningToken(
  env: { VAULT_KEK: string },
  contractId: string,
  signerId: string,
  now = new Date(),
): string {
  const claims: SigningTokenClaims = {
    contractId,
    signerId,
    exp: Math.floor(now.getTime() / 1000) + SIGNING_TOKEN_TTL_HOURS * 3600,
  };
  const body = base64UrlEncode(new TextEncoder().encode(JSON.stringify(claims)));
  return `${PREFIX}.${body}.${mac(env.VAULT_KEK, body)}`;
}

/** The claims when the token is genuine, unexpired and for `contractId`; null otherwise. */
export function verifySigningToken(
  env: { VAULT_KEK: string },
  token: string,
  contractId: string,
  now = new Date(),
): SigningTokenClaims | null {
  const [prefix, body, tag] = token.split(".");
  if (prefix !== PREFIX || !body || !tag || token.length > 1000) return null;
  if (!timingSafeEqual(tag, mac(env.VAULT_KEK, body))) return null;
  try {
    const claims = JSON.parse(new TextDecoder().decode(base64UrlDecode(body))) as SigningTokenClaims;
    if (claims.contractId !== contractId || typeof claims.signerId !== "string") return null;
    if (typeof claims.exp !== "number" || claims.exp * 1000 <= now.getTime()) return null;
    return claims;
  } catch {
    return null;
  }
}
