// Prints a fresh production value for one generated secret, for piping into wrangler:
//   node scripts/secret.ts JWT_PRIVATE_KEY | npx wrangler secret put JWT_PRIVATE_KEY
// Secrets issued by someone else (the anchoring wallet, Paystack) cannot be generated here.
import { newJwtPrivateKey, newMetricsToken, newVaultKek } from "./lib/dev-secrets.ts";

const generators: Record<string, () => string> = {
  JWT_PRIVATE_KEY: () => newJwtPrivateKey(new Date().toISOString().slice(0, 10)),
  VAULT_KEK: newVaultKek,
  METRICS_TOKEN: newMetricsToken,
};
const external: Record<string, string> = {
  ANCHOR_PRIVATE_KEY: "the 0x-prefixed private key of a funded account on each anchor network (from your wallet)",
  PAYSTACK_SECRET_KEY: "your Paystack secret key (dashboard → Settings → API Keys)",
};

const name = process.argv[2] ?? "";
const generate = generators[name];
if (generate) {
  process.stdout.write(generate());
} else {
  const hint = external[name] ? `${name} is not generated: use ${external[name]}` : `unknown secret "${name}"`;
  process.stderr.write(`${hint}\nusage: npm run -s secret -- ${Object.keys(generators).join("|")}\n`);
  process.exit(1);
}
