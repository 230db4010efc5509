// Tests run inside workerd with the real bindings of wrangler.toml (D1, R2, Queues, DOs), plus a real Anvil.
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { fileURLToPath } from "node:url";
import { generateDevSecrets } from "./scripts/lib/dev-secrets.ts";
import { startTestAnvil } from "./test/node/anvil.ts";
import { startWebhookReceiver } from "./test/node/webhook-receiver.ts";

export default defineConfig(async () => {
  const migrations = await readD1Migrations(fileURLToPath(new URL("./migrations", import.meta.url)));
  // Two nodes: one shared by every test file, one for the file that reverts snapshots and stops automine.
  const [anvilUrl, isolatedAnvilUrl] = await Promise.all([startTestAnvil(), startTestAnvil()]);
  const webhookReceiverUrl = await startWebhookReceiver();
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          bindings: {
            ...generateDevSecrets(),
            ENVIRONMENT: "test",
            ADMIN_EMAILS: "admin@escra.test",
            ANCHOR_NETWORKS: JSON.stringify([
              { name: "anvil", chainId: 31337, rpcUrl: anvilUrl, confirmations: 2 },
            ]),
            ANVIL_RPC_URL: anvilUrl,
            ANVIL_ISOLATED_RPC_URL: isolatedAnvilUrl,
            WEBHOOK_ALLOW_PRIVATE_URLS: "true",
            WEBHOOK_RECEIVER_URL: webhookReceiverUrl,
            TEST_MIGRATIONS: migrations,
          },
        },
      }),
    ],
    test: {
      include: ["test/**/*.test.ts"],
      setupFiles: ["./test/setup.ts"],
      testTimeout: 30_000,
      // Request logs are printed only for failing tests.
      silent: "passed-only" as const,
      hookTimeout: 60_000,
    },
  };
});
