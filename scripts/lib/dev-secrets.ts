// Fresh random secrets for local development and tests (never used in production: see README "Secrets").
import { generateKeyPairSync, randomBytes } from "node:crypto";

/** Anvil's first deterministic dev account; funded on every local chain, worthless anywhere else. */
export const ANVIL_DEV_PRIVATE_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

export function generateDevSecrets(): Record<string, string> {
  const { privateKey } = generateKeyPairSync("ed25519");
  const jwk = { ...privateKey.export({ format: "jwk" }), kid: `dev-${randomBytes(4).toString("hex")}` };
  return {
    JWT_PRIVATE_KEY: JSON.stringify(jwk),
    VAULT_KEK: randomBytes(32).toString("base64"),
    ANCHOR_PRIVATE_KEY: ANVIL_DEV_PRIVATE_KEY,
    PAYSTACK_SECRET_KEY: `sk_test_${randomBytes(20).toString("hex")}`,
    METRICS_TOKEN: randomBytes(24).toString("base64url"),
  };
}

export function toDotenv(values: Record<string, string>): string {
  return Object.entries(values)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join("\n") + "\n";
}
