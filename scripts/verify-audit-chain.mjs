#!/usr/bin/env node
// Verifies the hash chain of a contract's audit trail exported by GET /api/v1/audit/logs/export?format=json
// &resourceType=contract&resourceId=ctr_… — with nothing from Escra: Node's SHA-256 and a 10-line canonical JSON.
// Usage: node scripts/verify-audit-chain.mjs export.json   → prints "valid <head>" or the first broken link (exit 1).
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";

/** Canonical JSON (RFC 8785 style): object keys sorted, no whitespace, undefined members dropped. */
function canonical(value) {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? "null" : canonical(v))).join(",")}]`;
  const keys = Object.keys(value)
    .filter((k) => value[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(",")}}`;
}

const exported = JSON.parse(readFileSync(process.argv[2] ?? 0, "utf8"));
const trail = exported.contractTrail;
if (!trail) {
  console.error("no contractTrail: export with resourceType=contract&resourceId=<contract id>");
  process.exit(2);
}
let prev = "0".repeat(64);
for (const [i, e] of trail.events.entries()) {
  // Personal fields were hashed as salted commitments: sha256(salt + ":" + canonical(value)), hex, prefixed.
  const data = { ...e.data };
  for (const [field, salt] of Object.entries(e.disclosures ?? {})) {
    const digest = createHash("sha256")
      .update(`${salt}:${canonical(data[field])}`, "utf8")
      .digest("hex");
    data[field] = `commit:sha256:${digest}`;
  }
  const body = canonical({ seq: e.seq, type: e.type, actorId: e.actorId, at: e.at, data });
  const hash = createHash("sha256")
    .update(prev + body, "utf8")
    .digest("hex");
  if (e.seq !== i + 1 || e.prevHash !== prev || e.hash !== hash) {
    console.error(`broken at seq ${e.seq}`);
    process.exit(1);
  }
  prev = hash;
}
if (prev !== trail.head) {
  console.error("head does not match the last hash");
  process.exit(1);
}
console.log(`valid ${prev} (${trail.events.length} events of ${trail.contractId})`);
