// Access JWTs: EdDSA (Ed25519) signed with JWT_PRIVATE_KEY, verified against the published key set
// (current key + optional JWT_PREVIOUS_PUBLIC_KEY during a rotation), so what we accept is what partners can verify.
import { SignJWT, createLocalJWKSet, importJWK, jwtVerify, type JSONWebKeySet, type JWK } from "jose";
import type { Bindings } from "../env";
import type { Role } from "../db/schema/identity";

export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;
export const JWT_AUDIENCE = "escra-api";
const ALG = "EdDSA";

export interface AccessClaims {
  sub: string;
  sid: string;
  role: Role;
}

type KeyEnv = Pick<Bindings, "JWT_PRIVATE_KEY" | "JWT_PREVIOUS_PUBLIC_KEY" | "PUBLIC_BASE_URL">;

interface KeyMaterial {
  kid: string;
  signingKey: CryptoKey;
  jwks: JSONWebKeySet;
  verifier: ReturnType<typeof createLocalJWKSet>;
  /**
   * Access tokens this key set verified (issuer + token → claims, until they would fail the expiry or age check):
   * an Ed25519 verification per request was ~10 % of an authenticated GET's CPU profile. The exact token string is
   * the key, so a cached answer is the one verification would give; what it grants (session state, the user's role,
   * revocation) is still read per request through the credential cache. A rotated key set starts empty.
   */
  verified: Map<string, { claims: AccessClaims; until: number }>;
}

// Parsed keys are cached per isolate, keyed by the secret values (a rotated secret yields a new entry). Only the
// resolved material is shared: a promise started by one request must not be awaited by another (workerd refuses
// cross-request I/O), so concurrent first requests each import the key once.
let cached: { source: string; material: KeyMaterial } | null = null;

function publicJwk(jwk: JWK): JWK {
  if (jwk.kty !== "OKP" || jwk.crv !== "Ed25519" || !jwk.x || !jwk.kid) {
    throw new Error("JWT keys must be Ed25519 JWKs with a kid");
  }
  return { kty: "OKP", crv: "Ed25519", x: jwk.x, kid: jwk.kid, alg: ALG, use: "sig" };
}

async function loadKeys(env: KeyEnv): Promise<KeyMaterial> {
  const source = `${env.JWT_PRIVATE_KEY}\n${env.JWT_PREVIOUS_PUBLIC_KEY ?? ""}`;
  if (cached?.source === source) return cached.material;
  const privateJwk = JSON.parse(env.JWT_PRIVATE_KEY) as JWK;
  if (!privateJwk.d) throw new Error("JWT_PRIVATE_KEY must be a private JWK");
  const current = publicJwk(privateJwk);
  const keys = [current];
  if (env.JWT_PREVIOUS_PUBLIC_KEY) {
    const previous = publicJwk(JSON.parse(env.JWT_PREVIOUS_PUBLIC_KEY) as JWK);
    if (previous.kid !== current.kid) keys.push(previous);
  }
  const signingKey = (await importJWK({ ...privateJwk, alg: ALG }, ALG)) as CryptoKey;
  const jwks: JSONWebKeySet = { keys };
  const material = { kid: current.kid!, signingKey, jwks, verifier: createLocalJWKSet(jwks), verified: new Map() };
  cached = { source, material };
  return material;
}

/** The platform's current Ed25519 signing key and its kid (also used to countersign contract signatures). */
export async function platformSigningKey(
  env: KeyEnv,
): Promise<{ kid: string; signingKey: CryptoKey; jwks: JSONWebKeySet }> {
  const { kid, signingKey, jwks } = await loadKeys(env);
  return { kid, signingKey, jwks };
}

/** The public key set served at /.well-known/jwks.json. */
export async function publicKeySet(env: KeyEnv): Promise<JSONWebKeySet> {
  return (await loadKeys(env)).jwks;
}

export async function signAccessToken(env: KeyEnv, claims: AccessClaims, now = new Date()): Promise<string> {
  const { kid, signingKey } = await loadKeys(env);
  const iat = Math.floor(now.getTime() / 1000);
  return new SignJWT({ sid: claims.sid, role: claims.role })
    .setProtectedHeader({ alg: ALG, kid, typ: "JWT" })
    .setSubject(claims.sub)
    .setIssuer(env.PUBLIC_BASE_URL)
    .setAudience(JWT_AUDIENCE)
    .setIssuedAt(iat)
    .setExpirationTime(iat + ACCESS_TOKEN_TTL_SECONDS)
    .sign(signingKey);
}

/**
 * Verifies signature, `typ`, issuer, audience and expiry; returns null for any invalid token (the caller answers
 * AUTH002). `exp` is required, not just checked when present (jose skips the check on a token without it), so a
 * token signed without an expiry — by a bug or a leaked key's holder — is never valid forever (RFC 8725 §3.10).
 * `typ: JWT` keeps other JWS the platform key signs (contract countersignatures) from passing as access tokens.
 */
export async function verifyAccessToken(env: KeyEnv, token: string): Promise<AccessClaims | null> {
  const material = await loadKeys(env);
  const cacheKey = `${env.PUBLIC_BASE_URL}\n${token}`;
  const now = Date.now();
  const known = material.verified.get(cacheKey);
  if (known && now < known.until) return known.claims;
  try {
    const { payload } = await jwtVerify(token, material.verifier, {
      algorithms: [ALG],
      typ: "JWT",
      issuer: env.PUBLIC_BASE_URL,
      audience: JWT_AUDIENCE,
      requiredClaims: ["exp", "iat", "sub"],
      maxTokenAge: MAX_TOKEN_AGE_SECONDS,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
    });
    if (typeof payload.sub !== "string" || typeof payload.sid !== "string" || typeof payload.role !== "string") {
      return null;
    }
    const claims = { sub: payload.sub, sid: payload.sid, role: payload.role as Role };
    // exp and iat are required numbers once jwtVerify accepted the token; remember it for as long as it would pass.
    const until = 1000 * (Math.min(payload.exp!, payload.iat! + MAX_TOKEN_AGE_SECONDS) + CLOCK_TOLERANCE_SECONDS);
    if (material.verified.size >= MAX_VERIFIED_TOKENS) material.verified.clear();
    material.verified.set(cacheKey, { claims, until });
    return claims;
  } catch {
    return null;
  }
}

const MAX_TOKEN_AGE_SECONDS = ACCESS_TOKEN_TTL_SECONDS + 60;
const CLOCK_TOLERANCE_SECONDS = 5;
/** Verified tokens remembered per key set; past it the isolate starts over (one signature check per token again). */
const MAX_VERIFIED_TOKENS = 5_000;

/** A JWS compact serialisation has three base64url segments; anything else is malformed (AUTH004). */
export function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token);
}
