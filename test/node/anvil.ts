// A real Anvil node for one vitest run, on a free port, mining only on demand. Each run gets its own node,
// so parallel runs (or a running `npm run dev`) never share or kill each other's chain.
import { spawn } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { freePort } from "../../scripts/lib/ports.ts";

/** Starts a node serving `chainId` (test/helpers/anvil-chains.ts) and returns its RPC URL. */
export async function startTestAnvil(chainId: number): Promise<string> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const anvil = spawn("anvil", ["--port", String(port), "--chain-id", String(chainId), "--silent"], {
    stdio: "ignore",
    env: { ...process.env, PATH: `${process.cwd()}/node_modules/.bin:${process.env.PATH}` },
  });
  anvil.unref(); // never keep vitest alive; the exit hook below still stops the node
  process.once("exit", () => anvil.kill("SIGTERM"));
  for (let i = 0; i < 150; i++) {
    if (await rpcAlive(url)) return url;
    if (anvil.exitCode !== null) break;
    await sleep(100);
  }
  anvil.kill("SIGTERM");
  throw new Error(`anvil did not start on ${url}`);
}

async function rpcAlive(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
    });
    return res.ok;
  } catch {
    return false;
  }
}
