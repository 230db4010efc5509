// Test access to the shared Anvil: raw JSON-RPC (mine, snapshot/revert, automine) and an env whose anchoring account
// is a dev account of its own, so a test file's nonces never race another file's anchor transactions.
import { env } from "cloudflare:workers";
import type { Bindings } from "../../src/env";

/** Anvil's deterministic dev accounts #6–#9 (funded with 10,000 ETH on every Anvil; worthless elsewhere). */
export const ANVIL_KEYS = {
  six: "0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e",
  seven: "0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356",
  eight: "0xdbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97",
  nine: "0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6",
} as const;

let chainUrl: string | undefined;

/**
 * Points this test file at another Anvil. A file that reverts snapshots or stops automine uses the node reserved
 * for it (env.ANVIL_ISOLATED_RPC_URL), so it never drops or stalls the transactions of files running beside it.
 */
export function useChain(url: string | undefined) {
  if (!url) throw new Error("no Anvil URL given (vitest.config.ts)");
  chainUrl = url;
}

export const rpcUrl = () => {
  const url = chainUrl ?? env.ANVIL_RPC_URL;
  if (!url) throw new Error("ANVIL_RPC_URL is not set (vitest.config.ts)");
  return url;
};

let rpcId = 0;
export async function rpc<T = any>(method: string, params: unknown[] = []): Promise<T> {
  const res = await fetch(rpcUrl(), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: ++rpcId, method, params }),
  });
  const body = (await res.json()) as { result?: T; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result as T;
}

export const mine = (blocks = 1) => rpc("anvil_mine", [`0x${blocks.toString(16)}`]);

/** The test env with its own anchoring key and, optionally, other networks. */
export function chainEnv(overrides: Partial<Bindings> = {}): Bindings {
  const networks = chainUrl
    ? { ANCHOR_NETWORKS: JSON.stringify([{ name: "anvil", chainId: 31337, rpcUrl: chainUrl, confirmations: 2 }]) }
    : {};
  return { ...(env as unknown as Bindings), ANCHOR_PRIVATE_KEY: ANVIL_KEYS.seven, ...networks, ...overrides };
}
