// `npm run dev`: local secrets and migrations, then Anvil (127.0.0.1:8545) and `wrangler dev` (:8787) together,
// with prefixed output; Ctrl-C (or either process dying) stops both.
import { ensureDocsAssets } from "./lib/docs-assets.ts";
import { buildSignAssets } from "./lib/sign-assets.ts";
import { ensureFontAssets } from "./lib/font-assets.ts";
import { startAnvil } from "./lib/anvil.ts";
import { startCronTicker, wranglerCrons } from "./lib/cron.ts";
import { assertPortFree } from "./lib/ports.ts";
import { supervise } from "./lib/processes.ts";
import { applyLocalMigrations, describeHealth, ensureDevVars, fetchHealth, startWorker } from "./lib/worker.ts";

// Fixed ports: wrangler.toml's [dev] port and the rpcUrl of its ANCHOR_NETWORKS.
const WORKER_PORT = 8787;
const ANVIL_PORT = 8545;

await supervise(async (group) => {
  const devVars = ensureDevVars();
  if (devVars.status === "created") console.log("[dev] wrote .dev.vars with freshly generated secrets");
  if (devVars.status === "updated") console.log(`[dev] added new secrets to .dev.vars: ${devVars.added.join(", ")}`);
  ensureDocsAssets();
  ensureFontAssets();
  await buildSignAssets();
  await assertPortFree(ANVIL_PORT, "Anvil");
  await assertPortFree(WORKER_PORT, "wrangler dev");
  await applyLocalMigrations();

  await startAnvil(group, { port: ANVIL_PORT });
  console.log(`[dev] Anvil ready on http://127.0.0.1:${ANVIL_PORT} (chain id 31337)`);

  const baseUrl = await startWorker(group, { port: WORKER_PORT });
  const health = await fetchHealth(baseUrl);
  console.log(
    `[dev] Escra is up on http://localhost:${WORKER_PORT} (docs: /docs); health ${health ? describeHealth(health) : "unknown"}`,
  );
  startCronTicker(baseUrl, (line) => console.log(`[cron] ${line}`));
  console.log(`[dev] cron triggers fire locally each minute: ${wranglerCrons().join(" | ")}`);
  console.log("[dev] Ctrl-C stops everything");
  return "keep-running";
});
