// Anchoring bench: Merkle tree build time (src/domain/merkle.ts) for 1k / 10k / 100k leaves, in Node and inside
// workerd (the runtime the batch cron runs in), and the gas of the anchor transaction per record at those sizes,
// measured on a throwaway Anvil. `node scripts/bench-merkle.ts [--runs 3]`; raw figures in .bench/merkle-*.json.
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { build } from "esbuild";
import { Miniflare } from "miniflare";
import { createPublicClient, createWalletClient, http } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { buildTree, type Hex32 } from "../src/domain/merkle.ts";
import { ANVIL_CHAIN_ID, startAnvil } from "./lib/anvil.ts";
import { ANVIL_DEV_PRIVATE_KEY } from "./lib/dev-secrets.ts";
import { freePort } from "./lib/ports.ts";
import { ROOT, supervise } from "./lib/processes.ts";

const SIZES = [1_000, 10_000, 100_000];
const { values: args } = parseArgs({ options: { runs: { type: "string", default: "3" } } });
const runs = Math.max(1, Number(args.runs));

const values = (n: number, salt: string): Hex32[] =>
  Array.from({ length: n }, (_, i) => `0x${bytesToHex(sha256(utf8ToBytes(`${salt}-${i}`)))}` as Hex32);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (x: number) => `${x.toFixed(x < 10 ? 1 : 0)} ms`;

interface TreeTiming {
  n: number;
  buildMs: number;
  proofsMs: number;
}

/** What the batch task does with a tree: build it, then take every value's proof. Median of `runs`. */
function timeInNode(n: number): TreeTiming & { ozMs: number | null; cpuMs: number } {
  const vs = values(n, `node-${n}`);
  const builds: number[] = [];
  const proofs: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < runs; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const tree = buildTree(vs);
    const t1 = performance.now();
    for (const v of vs) tree.proofOf(v);
    builds.push(t1 - t0);
    proofs.push(performance.now() - t1);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  // OpenZeppelin's own library as a reference point (once; it is much slower at 100k).
  let ozMs: number | null = null;
  if (n <= 10_000) {
    const t0 = performance.now();
    StandardMerkleTree.of(
      vs.map((v) => [v]),
      ["bytes32"],
    );
    ozMs = performance.now() - t0;
  }
  return { n, buildMs: median(builds), proofsMs: median(proofs), ozMs, cpuMs: median(cpu) };
}

/** The same inside workerd: a tiny Worker bundling src/domain/merkle.ts, run by Miniflare. */
async function timeInWorkerd(): Promise<TreeTiming[]> {
  const bundle = await build({
    stdin: {
      contents: `
        import { buildTree } from "./src/domain/merkle.ts";
        import { sha256 } from "@noble/hashes/sha2.js";
        import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";
        export default {
          async fetch(request) {
            const n = Number(new URL(request.url).searchParams.get("n"));
            const vs = Array.from({ length: n }, (_, i) => "0x" + bytesToHex(sha256(utf8ToBytes("workerd-" + n + "-" + i))));
            const t0 = performance.now();
            const tree = buildTree(vs);
            const t1 = performance.now();
            for (const v of vs) tree.proofOf(v);
            const t2 = performance.now();
            return Response.json({ n, buildMs: t1 - t0, proofsMs: t2 - t1 });
          },
        };`,
      resolveDir: ROOT,
      loader: "ts",
    },
    bundle: true,
    format: "esm",
    platform: "neutral",
    mainFields: ["module", "main"],
    write: false,
  });
  // This Miniflare takes a worker config with an explicit module manifest (the bundled script is one ES module).
  const mf = new Miniflare({
    workers: [
      {
        config: {
          name: "bench-merkle",
          compatibilityDate: "2026-11-01",
          manifest: {
            mainModule: "index.js",
            modules: { "index.js": { type: "esm", contents: bundle.outputFiles[0]!.text } },
          },
        },
      },
    ],
  });
  try {
    const out: TreeTiming[] = [];
    for (const n of SIZES) {
      const samples: TreeTiming[] = [];
      for (let r = 0; r < runs; r++)
        samples.push((await (await mf.dispatchFetch(`http://bench/?n=${n}`)).json()) as TreeTiming);
      out.push({ n, buildMs: median(samples.map((s) => s.buildMs)), proofsMs: median(samples.map((s) => s.proofsMs)) });
    }
    return out;
  } finally {
    await mf.dispose();
  }
}

/** One anchor transaction per size (0 value, to self, input = that tree's root), as the batch task sends it. */
async function gasPerSize(rpcUrl: string) {
  const chain = {
    id: ANVIL_CHAIN_ID,
    name: "anvil",
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  } as const;
  const account = privateKeyToAccount(ANVIL_DEV_PRIVATE_KEY);
  const wallet = createWalletClient({ account, chain, transport: http(rpcUrl) });
  const client = createPublicClient({ chain, transport: http(rpcUrl) });
  const out: { n: number; gasUsed: bigint; gasPerRecord: number }[] = [];
  for (const n of SIZES) {
    const root = buildTree(values(n, `gas-${n}`)).root;
    const hash = await wallet.sendTransaction({ to: account.address, value: 0n, data: root });
    const receipt = await client.waitForTransactionReceipt({ hash }); // one confirmation: fine on an automining Anvil
    out.push({ n, gasUsed: receipt.gasUsed, gasPerRecord: Number(receipt.gasUsed) / n });
  }
  return out;
}

await supervise(async (group) => {
  console.log(
    `[bench-merkle] ${runs} run(s) per size, median shown; load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")} on ${cpus().length} CPUs`,
  );
  const node = SIZES.map(timeInNode);
  const workerd = await timeInWorkerd();
  const anvilUrl = await startAnvil(group, { port: await freePort(), quiet: true });
  const gas = await gasPerSize(anvilUrl);

  const lines = [
    "| leaves | build (Node) | build + all proofs (Node) | CPU time of that (Node) | OZ StandardMerkleTree.of (Node) | build (workerd) | build + all proofs (workerd) | anchor tx gas | gas per record |",
    "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...SIZES.map((n, i) => {
      const a = node[i]!;
      const w = workerd[i]!;
      const g = gas[i]!;
      return `| ${n.toLocaleString("en")} | ${ms(a.buildMs)} | ${ms(a.buildMs + a.proofsMs)} | ${ms(a.cpuMs)} | ${a.ozMs === null ? "—" : ms(a.ozMs)} | ${ms(w.buildMs)} | ${ms(w.buildMs + w.proofsMs)} | ${g.gasUsed.toLocaleString("en")} | ${g.gasPerRecord.toFixed(g.gasPerRecord < 1 ? 3 : 2)} |`;
    }),
  ];
  console.log(`\n${lines.join("\n")}\n`);
  const dir = join(ROOT, ".bench");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `merkle-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
  writeFileSync(
    file,
    JSON.stringify({ runs, node, workerd, gas: gas.map((g) => ({ ...g, gasUsed: g.gasUsed.toString() })) }, null, 2),
  );
  console.log(`[bench-merkle] raw figures: ${file}`);
});
