// Random secrets: fresh ones for local development and tests (.dev.vars, vitest), and the generators
// `scripts/secret.ts` uses to print production values for `wrangler secret put` (see README "Deploying").
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { issueFromNewCa, opensslIn } from "./openssl-ca.ts";

/** Anvil's first deterministic dev account; funded on every local chain, worthless anywhere else. */
export const ANVIL_DEV_PRIVATE_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

/** An Ed25519 private JWK (JSON) for signing access JWTs; `kid` names it in the published JWKS. */
export function newJwtPrivateKey(kidPrefix: string): string {
  const { privateKey } = generateKeyPairSync("ed25519");
  return JSON.stringify({
    ...privateKey.export({ format: "jwk" }),
    kid: `${kidPrefix}-${randomBytes(4).toString("hex")}`,
  });
}

/** The vault key-encryption key: 32 random bytes, base64. */
export const newVaultKek = (): string => randomBytes(32).toString("base64");

/** Bearer token for the metrics endpoint. */
export const newMetricsToken = (): string => randomBytes(24).toString("base64url");

/**
 * A development CA and a sealing certificate it issued (RSA-2048, SHA-256, digitalSignature + nonRepudiation,
 * 2 years), made with the `openssl` command line. The PDFs' PAdES seal uses them (src/lib/pdf-seal.ts).
 * @returns SEALING_KEY (PKCS #8 PEM) and SEALING_CERT (sealing cert PEM, then the CA's); {} without openssl
 */
export function newSealingIdentity(commonName = "Escra development sealing"): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), "escra-seal-"));
  try {
    issueFromNewCa(
      dir,
      {
        subject: "/CN=Escra development CA/O=Escra (development)",
        days: 3650,
        extensions: ["keyUsage=critical,keyCertSign,cRLSign"],
      },
      {
        name: "seal",
        subject: `/CN=${commonName}/O=Escra (development)`,
        days: 730,
        extensions: ["basicConstraints=critical,CA:FALSE", "keyUsage=critical,digitalSignature,nonRepudiation"],
      },
    );
    opensslIn(dir)("pkcs8", "-topk8", "-nocrypt", "-in", "seal.key", "-out", "seal.p8");
    const read = (f: string) => readFileSync(join(dir, f), "utf8").trim();
    return { SEALING_KEY: read("seal.p8"), SEALING_CERT: `${read("seal.pem")}\n${read("ca.pem")}` };
  } catch (error) {
    console.warn(`openssl could not make a sealing certificate (${String(error)}); PDFs will not be sealed`);
    return {};
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function generateDevSecrets(): Record<string, string> {
  return {
    ...newSealingIdentity(),
    JWT_PRIVATE_KEY: newJwtPrivateKey("dev"),
    VAULT_KEK: newVaultKek(),
    ANCHOR_PRIVATE_KEY: ANVIL_DEV_PRIVATE_KEY,
    PAYSTACK_SECRET_KEY: `sk_test_${randomBytes(20).toString("hex")}`,
    METRICS_TOKEN: newMetricsToken(),
  };
}

/**
 * dotenv keeps `\"` inside double quotes as-is (it only expands \n), which would corrupt JSON values such as
 * JWT_PRIVATE_KEY; single quotes are taken literally, so values without a single quote or newline use them.
 */
export function toDotenv(values: Record<string, string>): string {
  return (
    Object.entries(values)
      .map(([k, v]) => (/['\n]/.test(v) ? `${k}=${JSON.stringify(v)}` : `${k}='${v}'`))
      .join("\n") + "\n"
  );
}
