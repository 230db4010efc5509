// Test access to the Anvil nodes: raw JSON-RPC (mine, snapshot/revert, automine) and an env whose anchoring account
// is a dev account of its own, so a test file's nonces never race another file's anchor transactions.
import { env } from "cloudflare:workers";
import type { Bindings } from "../../src/env";
import { ANVIL_CHAIN_IDS, type AnvilNode } from "./anvil-chains";

/** Anvil's deterministic dev accounts #6–#9 (funded with 10,000 ETH on every Anvil; worthless elsewhere). */
export const ANVIL_KEYS = {
  six: "0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e",
  seven: "0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356",
  eight: "0xdbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97",
  nine: "0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6",
} as const;

/** The test nodes' RPC URLs (vitest.config.ts), read when first used. */
function urlOf(node: AnvilNode): string {
  const url = { shared: env.ANVIL_RPC_URL, isolated: env.ANVIL_ISOLATED_RPC_URL, scale: env.ANVIL_SCALE_RPC_URL }[node];
  if (!url) throw new Error(`no Anvil URL for the ${node} node (vitest.config.ts)`);
  return url;
}

let rpcId = 0;

/**
 * One test Anvil node: raw JSON-RPC to it, and an env that anchors on it. The shared node is the `anvil` network of
 * the test env; another node (test/helpers/anvil-chains.ts) has a chain id of its own and is configured by chainEnv()
 * as the only anchor network, named `anvil-<node>`. A file that reverts snapshots or stops automine uses the node
 * reserved for it ("isolated"), so it never drops or stalls the transactions of files running beside it; a file that
 * counts every pending record of its chain into one batch uses one no other file queues records for ("scale").
 * A handle, not module state: test files share this module's instance in the `workers` project.
 */
export function anvilNode(node: AnvilNode) {
  const rpcUrl = () => urlOf(node);
  /** The anchor network (ANCHOR_NETWORKS entry, without confirmations) that this node serves. */
  const network = () => ({
    name: node === "shared" ? "anvil" : `anvil-${node}`,
    chainId: ANVIL_CHAIN_IDS[node] as number,
    rpcUrl: rpcUrl(),
  });

  async function rpc<T = any>(method: string, params: unknown[] = []): Promise<T> {
    const res = await fetch(rpcUrl(), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: ++rpcId, method, params }),
    });
    const body = (await res.json()) as { result?: T; error?: { message: string } };
    if (body.error) throw new Error(`${method}: ${body.error.message}`);
    return body.result as T;
  }

  const mine = (blocks = 1) => rpc("anvil_mine", [`0x${blocks.toString(16)}`]);

  /** The test env with its own anchoring key and this node's network (unless `overrides` names others). */
  function chainEnv(overrides: Partial<Bindings> = {}): Bindings {
    const networks = node === "shared" ? {} : { ANCHOR_NETWORKS: JSON.stringify([{ ...network(), confirmations: 2 }]) };
    return { ...(env as unknown as Bindings), ANCHOR_PRIVATE_KEY: ANVIL_KEYS.seven, ...networks, ...overrides };
  }

  return { rpcUrl, network, rpc, mine, chainEnv };
}

/** The shared node, which every file uses unless it takes another with anvilNode(). */
export const { rpcUrl, rpc, mine, chainEnv } = anvilNode("shared");
