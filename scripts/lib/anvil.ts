// A local Anvil chain (the real binary from @foundry-rs/anvil) for dev and bench, ready when its RPC answers.
import { type ProcessGroup, waitUntil } from "./processes.ts";

export const ANVIL_CHAIN_ID = 31337;

export interface AnvilOptions {
  port: number;
  /** Forward Anvil's per-request log lines (dev) or keep quiet (bench). */
  quiet?: boolean;
}

export async function startAnvil(group: ProcessGroup, options: AnvilOptions): Promise<string> {
  const url = `http://127.0.0.1:${options.port}`;
  const args = ["--host", "127.0.0.1", "--port", String(options.port), "--chain-id", String(ANVIL_CHAIN_ID)];
  group.start("anvil", "anvil", args, { quiet: options.quiet ?? false });
  await waitUntil(`Anvil RPC at ${url}`, () => chainIdIs(url, ANVIL_CHAIN_ID), { timeoutMs: 30_000, group });
  return url;
}

async function chainIdIs(url: string, chainId: number): Promise<boolean> {
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      signal: AbortSignal.timeout(1000),
    });
    const body = (await res.json()) as { result?: string };
    return res.ok && body.result !== undefined && Number.parseInt(body.result, 16) === chainId;
  } catch {
    return false;
  }
}

/** The ANCHOR_NETWORKS var pointing at a local Anvil (wrangler.toml's default uses port 8545). */
export function localAnchorNetworks(rpcUrl: string): string {
  return JSON.stringify([{ name: "anvil", chainId: ANVIL_CHAIN_ID, rpcUrl, confirmations: 2 }]);
}
