// Access JWTs: claims and header, and key rotation (a token of the previous key verifies while it is published).
import { env } from "cloudflare:workers";
import { decodeProtectedHeader, exportJWK, generateKeyPair } from "jose";
import { describe, expect, it } from "vitest";
import { publicKeySet, signAccessToken, verifyAccessToken } from "../../src/lib/jwt";

async function keyEnv(kid: string, previous?: object) {
  const { privateKey, publicKey } = await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid };
  const pub = { ...(await exportJWK(publicKey)), kid };
  return {
    env: {
      JWT_PRIVATE_KEY: JSON.stringify(jwk),
      JWT_PREVIOUS_PUBLIC_KEY: previous ? JSON.stringify(previous) : undefined,
      PUBLIC_BASE_URL: env.PUBLIC_BASE_URL,
    },
    pub,
  };
}

describe("access JWTs", () => {
  it("sign EdDSA with kid, 15 minutes, and verify", async () => {
    const token = await signAccessToken(env, { sub: "usr_a", sid: "ses_a", role: "user" });
    const header = decodeProtectedHeader(token);
    expect(header.alg).toBe("EdDSA");
    expect(header.kid).toBe(JSON.parse(env.JWT_PRIVATE_KEY).kid);
    expect(await verifyAccessToken(env, token)).toEqual({ sub: "usr_a", sid: "ses_a", role: "user" });
    const payload = JSON.parse(atob(token.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/")));
    expect(payload.exp - payload.iat).toBe(900);
  });

  it("rejects expired and tampered tokens", async () => {
    const old = await signAccessToken(
      env,
      { sub: "usr_a", sid: "ses_a", role: "user" },
      new Date(Date.now() - 16 * 60_000),
    );
    expect(await verifyAccessToken(env, old)).toBeNull();
    const token = await signAccessToken(env, { sub: "usr_a", sid: "ses_a", role: "user" });
    const [h, p, s] = token.split(".");
    const forged = btoa(
      JSON.stringify({ ...JSON.parse(atob(p!.replace(/-/g, "+").replace(/_/g, "/"))), role: "admin" }),
    )
      .replace(/\+/g, "-")
      .replace(/\//g, "_")
      .replace(/=+$/, "");
    expect(await verifyAccessToken(env, `${h}.${forged}.${s}`)).toBeNull();
  });

  it("accepts the previous key during a rotation, and only then", async () => {
    const a = await keyEnv("key-a");
    const tokenA = await signAccessToken(a.env, { sub: "usr_a", sid: "ses_a", role: "user" });
    const rotated = await keyEnv("key-b", a.pub);
    const jwks = await publicKeySet(rotated.env);
    expect(jwks.keys.map((k) => k.kid)).toEqual(["key-b", "key-a"]);
    expect(jwks.keys.every((k) => !("d" in k))).toBe(true);
    expect(await verifyAccessToken(rotated.env, tokenA)).not.toBeNull();
    const done = await keyEnv("key-c");
    expect(await verifyAccessToken(done.env, tokenA)).toBeNull();
  });
});
