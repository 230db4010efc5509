// Verifies Escra anchoring proofs with no Escra server: recompute the OpenZeppelin leaf, fold the sibling path to the
// root, then ask any JSON-RPC node for the transaction (input must equal the root) and count its confirmations.
// Deliberately independent of src/ (its own hashing code) so it also cross-checks our implementation.
//
//   node scripts/verify-proof.ts proof.json --rpc http://127.0.0.1:8545 [--confirmations 2] [--hash 0x…] [--file doc.pdf]
//
// proof.json: one record of GET /api/v1/contracts/:id/anchor, or that response (envelope or data), or POST /verify's.
// --file / --hash: check only the records about this document (its SHA-256) or this hash; there must be one. The
// executed PDF's records are the execution records naming it as `executedDocumentHash` (their `hash` commits to it:
// README "Anchoring and proofs" says how to recompute it from the contract's signatures and audit chain).
// Exit code 0 when every record verifies, 1 when one does not, 2 on bad usage.
import { readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { parseArgs } from "node:util";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { bytesToHex, hexToBytes } from "@noble/hashes/utils.js";

interface ProofRecord {
  hash: string;
  kind?: string;
  executedDocumentHash?: string | null;
  proof: { leaf?: string; path: string[]; root: string } | null;
  network?: { name?: string; chainId?: number };
  txHash: string | null;
  blockNumber?: number | null;
}

const HEX32 = /^0x[0-9a-f]{64}$/;

function usage(message: string): never {
  console.error(
    `${message}\nusage: npm run -s verify-proof -- proof.json --rpc <url> [--confirmations n] [--hash 0x…] [--file path]`,
  );
  process.exit(2);
}

const { values: opts, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    rpc: { type: "string" },
    confirmations: { type: "string", default: "1" },
    hash: { type: "string" },
    file: { type: "string" },
  },
});
if (positionals.length !== 1) usage("give exactly one proof file");
if (!opts.rpc) usage("--rpc is required");
const required = Number(opts.confirmations);
if (!Number.isInteger(required) || required < 1) usage("--confirmations must be a positive integer");

const expected = opts.file
  ? `0x${createHash("sha256").update(readFileSync(opts.file)).digest("hex")}`
  : opts.hash
    ? `0x${opts.hash.toLowerCase().replace(/^0x/, "")}`
    : null;

/** Accepts a record, `{ records }`, or an API envelope `{ data: … }`. */
function recordsIn(doc: any): ProofRecord[] {
  const body = doc?.data ?? doc;
  if (Array.isArray(body?.records)) return body.records;
  if (body && typeof body.hash === "string") return [body];
  usage("the proof file holds no anchoring record");
}

// --- OpenZeppelin StandardMerkleTree, leaf type ["bytes32"] ---
const keccak = (bytes: Uint8Array) => keccak_256(bytes);
const hex = (bytes: Uint8Array) => `0x${bytesToHex(bytes)}`;
const bytes = (h: string) => hexToBytes(h.slice(2));

/** leaf = keccak256(keccak256(abi.encode(bytes32))); abi.encode of a bytes32 is its 32 bytes. */
const leafOf = (value: string) => hex(keccak(keccak(bytes(value))));

/** Commutative node: keccak256 of the two children in ascending order. */
function node(a: string, b: string): string {
  const [x, y] = a < b ? [a, b] : [b, a]; // same-length lowercase hex: string order is byte order
  const pair = new Uint8Array(64);
  pair.set(bytes(x), 0);
  pair.set(bytes(y), 32);
  return hex(keccak(pair));
}

let rpcId = 0;
async function rpc<T>(method: string, params: unknown[]): Promise<T> {
  const res = await fetch(opts.rpc!, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: ++rpcId, method, params }),
    signal: AbortSignal.timeout(15_000),
  });
  const body = (await res.json()) as { result?: T; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result as T;
}

async function verify(r: ProofRecord): Promise<string[]> {
  const problems: string[] = [];
  const hash = String(r.hash).toLowerCase();
  if (!HEX32.test(hash)) return ["hash is not 32 bytes of hex"];
  if (!r.proof || !r.txHash) return [...problems, "record has no proof yet (still pending)"];
  const path = r.proof.path.map((p) => p.toLowerCase());
  const root = r.proof.root.toLowerCase();
  if (![root, ...path].every((h) => HEX32.test(h)))
    return [...problems, "proof holds values that are not 32 bytes of hex"];

  const leaf = leafOf(hash);
  if (r.proof.leaf && r.proof.leaf.toLowerCase() !== leaf) problems.push("leaf does not match the hash");
  const folded = path.reduce(node, leaf);
  if (folded !== root) problems.push("path does not fold to the root");

  if (r.network?.chainId !== undefined) {
    const chainId = Number.parseInt(await rpc<string>("eth_chainId", []), 16);
    if (chainId !== r.network.chainId)
      problems.push(`RPC serves chain ${chainId}, proof is for chain ${r.network.chainId}`);
  }
  const tx = await rpc<{ input: string; blockNumber: string | null } | null>("eth_getTransactionByHash", [r.txHash]);
  if (!tx) return [...problems, "transaction not found"];
  if (tx.input.toLowerCase() !== root) problems.push("transaction input is not the root");
  const receipt = await rpc<{ status: string; blockNumber: string } | null>("eth_getTransactionReceipt", [r.txHash]);
  if (!receipt) return [...problems, "transaction not mined yet"];
  if (receipt.status !== "0x1") problems.push("transaction reverted");
  const head = Number.parseInt(await rpc<string>("eth_blockNumber", []), 16);
  const block = Number.parseInt(receipt.blockNumber, 16);
  const confirmations = head - block + 1;
  if (confirmations < required) problems.push(`${confirmations} confirmations, ${required} required`);
  console.log(
    `  tx ${r.txHash} in block ${block}, ${confirmations} confirmation(s)${r.blockNumber != null && r.blockNumber !== block ? ` (record said block ${r.blockNumber}: re-mined after a reorg)` : ""}`,
  );
  return problems;
}

const all = recordsIn(JSON.parse(readFileSync(positionals[0]!, "utf8")));
const about = (r: ProofRecord) =>
  String(r.hash).toLowerCase() === expected || String(r.executedDocumentHash ?? "").toLowerCase() === expected;
const records = expected ? all.filter(about) : all;
if (records.length === 0) {
  console.log(`FAILED: the proof file has no record for ${expected}`);
  process.exit(1);
}
let failures = 0;
for (const r of records) {
  console.log(`${r.hash} on ${r.network?.name ?? "?"} (chain ${r.network?.chainId ?? "?"})`);
  if (r.executedDocumentHash)
    console.log(`  execution record over the executed PDF ${String(r.executedDocumentHash).toLowerCase()}`);
  let problems: string[];
  try {
    problems = await verify(r);
  } catch (err) {
    problems = [`RPC error: ${err instanceof Error ? err.message : String(err)}`];
  }
  if (problems.length === 0)
    console.log("  VERIFIED: the hash is in the tree whose root is the input of that transaction");
  else {
    failures++;
    for (const p of problems) console.log(`  FAILED: ${p}`);
  }
}
process.exit(failures === 0 ? 0 : 1);
