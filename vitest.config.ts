// Three projects: `unit` (pure domain/lib rules, plain Node, seconds), `workers` (inside workerd with the real
// bindings of wrangler.toml — D1, R2, Queues, DOs — plus real Anvil nodes, a webhook receiver, an OpenID provider, a
// TSA and PDF tools) and `browser` (the hosted signing page in headless chromium against `wrangler dev`). `npm test`
// runs all; `npm run test:unit` runs only `unit` and starts none of the services.
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { fileURLToPath } from "node:url";
import { unstable_readConfig } from "wrangler";
import { generateDevSecrets } from "./scripts/lib/dev-secrets.ts";
import { startTestAnvil } from "./test/node/anvil.ts";
import { ANVIL_CHAIN_IDS } from "./test/helpers/anvil-chains.ts";
import { startWebhookReceiver } from "./test/node/webhook-receiver.ts";
import { startPdfTools } from "./test/node/pdf-tools.ts";
import { startTestTsa } from "./test/node/tsa.ts";
import { startTestOidcProviders } from "./test/node/oidc-provider.ts";
import { bareImports } from "./test/node/bare-imports.ts";

// wrangler's informational lines (one "Using secrets defined in .dev.vars" per test file: the tests take their
// secrets from generateDevSecrets() below, not from that file) would bury the runner's output; warnings still show.
process.env.WRANGLER_LOG ??= "warn";

/** Pure tests: no `cloudflare:*` import, no binding. They live in test/domain/ or are named `*.unit.test.ts`. */
const UNIT_TESTS = ["test/domain/**/*.test.ts", "test/**/*.unit.test.ts"];
/** Browser tests: Node, a real `wrangler dev` and headless chromium (scripts/system-deps.sh installs it). */
const BROWSER_TESTS = ["test/browser/**/*.test.ts"];
/**
 * Four files at a time: most of a workers test's wall time is spent waiting (queues, alarms, Anvil, the browser), so
 * four overlap well even on a 2-core machine.
 */
const MAX_WORKERS = 4;

/** Whether this run selects only the unit project (`vitest run --project unit`), so no service is started. */
function unitOnly(argv: readonly string[]): boolean {
  const projects = argv.flatMap((arg, i) =>
    arg === "--project" ? [argv[i + 1] ?? ""] : arg.startsWith("--project=") ? [arg.slice("--project=".length)] : [],
  );
  return projects.length > 0 && projects.every((name) => name === "unit");
}

/**
 * wrangler.toml's queue consumers, each delivering as soon as a message is sent (`max_batch_timeout` 0) instead of
 * after the deployed 1 s: every test that waits for an email or a job's effect would otherwise wait out one timeout
 * per queue hop (event → job → email is two). Batch size, retries and dead-letter queues stay as deployed.
 */
/** A `[[queues.consumers]]` entry of wrangler.toml (wrangler's own type for it does not reach this file). */
type QueueConsumer = {
  queue: string;
  max_batch_size?: number;
  max_retries?: number;
  dead_letter_queue?: string;
  retry_delay?: number;
};

function immediateQueueConsumers() {
  const { queues } = unstable_readConfig({ config: "./wrangler.toml" });
  return Object.fromEntries(
    queues.consumers.map((consumer: QueueConsumer) => [
      consumer.queue,
      {
        maxBatchSize: consumer.max_batch_size,
        maxBatchTimeout: 0,
        maxRetries: consumer.max_retries,
        deadLetterQueue: consumer.dead_letter_queue,
        retryDelay: consumer.retry_delay,
      },
    ]),
  );
}

/**
 * The workers project. Its files share a workerd and its storage per vitest worker (`isolate: false`): each file
 * would otherwise start its own runtime and load the Worker's modules again, most of the suite's time. So a file
 * sees the rows, objects and background work of the files that ran before it in the same worker, and asserts only
 * over its own: its own ids, a date window or chain id no other file uses, a search for its own tag.
 */
async function workersProject() {
  const migrations = await readD1Migrations(fileURLToPath(new URL("./migrations", import.meta.url)));
  const [anvilUrl, isolatedAnvilUrl, scaleAnvilUrl, webhookReceiverUrl, pdfToolsUrl, tsaUrl, oidc] = await Promise.all([
    // Three nodes: one shared by every test file, one for the file that reverts snapshots and stops automine, one for
    // the file that batches 10,000 records; the last two have chain ids of their own (test/helpers/anvil-chains.ts).
    startTestAnvil(ANVIL_CHAIN_IDS.shared),
    startTestAnvil(ANVIL_CHAIN_IDS.isolated),
    startTestAnvil(ANVIL_CHAIN_IDS.scale),
    startWebhookReceiver(),
    startPdfTools(),
    startTestTsa(),
    // A real OpenID Provider (node-oidc-provider) as the issuer of Google, Microsoft and LinkedIn sign-in.
    startTestOidcProviders(),
  ]);
  const plugin = cloudflareTest({
    wrangler: { configPath: "./wrangler.toml" },
    miniflare: {
      queueConsumers: immediateQueueConsumers(),
      bindings: {
        ...generateDevSecrets(),
        ENVIRONMENT: "test",
        ADMIN_EMAILS: "admin@escra.test",
        ANCHOR_NETWORKS: JSON.stringify([
          { name: "anvil", chainId: ANVIL_CHAIN_IDS.shared, rpcUrl: anvilUrl, confirmations: 2 },
        ]),
        ANVIL_RPC_URL: anvilUrl,
        ANVIL_ISOLATED_RPC_URL: isolatedAnvilUrl,
        ANVIL_SCALE_RPC_URL: scaleAnvilUrl,
        WEBHOOK_ALLOW_PRIVATE_URLS: "true",
        WEBHOOK_RECEIVER_URL: webhookReceiverUrl,
        // Test files open many escrows per buyer; the cap itself is tested with its own env (test/escrow/reconciliation).
        ESCROW_MAX_UNFUNDED: "1000",
        // Tests change users and sessions in D1 behind the API's back and expect the next request to see it;
        // the isolate's credential cache is tested with its TTL on in test/lib/credential-cache.test.ts.
        AUTH_CACHE_TTL_MS: "0",
        PDF_TOOLS_URL: pdfToolsUrl,
        TSA_URL: tsaUrl,
        ...oidc.bindings,
        TEST_MIGRATIONS: migrations,
      },
    },
  });
  return {
    // Not extending this file (`extends: false`): a project that did would evaluate it again, starting a second set
    // of the services above. So it repeats the root's two options.
    extends: false as const,
    plugins: [plugin],
    test: {
      name: "workers",
      include: ["test/**/*.test.ts"],
      exclude: [...UNIT_TESTS, ...BROWSER_TESTS],
      isolate: false,
      silent: "passed-only" as const,
      maxWorkers: MAX_WORKERS,
      setupFiles: ["./test/setup.ts"],
      testTimeout: 30_000,
      hookTimeout: 60_000,
      // Pre-bundled npm dependencies: see bareImports().
      deps: {
        optimizer: {
          ssr: { enabled: true, include: bareImports(["src", "test"], ["test/node", "test/browser"]) },
        },
      },
    },
  };
}

export default defineConfig(async () => ({
  test: {
    // Request logs are printed only for failing tests.
    silent: "passed-only" as const,
    maxWorkers: MAX_WORKERS,
    projects: [
      { test: { name: "unit", include: UNIT_TESTS, environment: "node", testTimeout: 10_000, isolate: false } },
      ...(unitOnly(process.argv) ? [] : [await workersProject()]),
      // In Node: each file starts its own `wrangler dev` and drives Debian's chromium (test/browser/harness.ts).
      {
        test: {
          name: "browser",
          include: BROWSER_TESTS,
          environment: "node",
          testTimeout: 180_000,
          hookTimeout: 240_000,
        },
      },
    ],
  },
}));
