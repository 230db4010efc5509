// Keeps a sealed PDF in R2 once: renders it on first use, seals it (src/lib/pdf-seal.ts) and stores both the
// unsealed render and the sealed bytes, so later reads return the same bytes and hash. A seal made while the TSA was
// down (no timestamp) is re-sealed from the kept render on a later call, and the new bytes replace the old.
import type { Bindings } from "../env";
import { sha256Hex } from "./crypto";
import { sealingIdentity, sealPdf } from "./pdf-seal";

/** How a stored PDF is sealed: "timestamped" (PAdES B-T), "untimestamped" (B-B, TSA was down), "unsealed". */
export type SealLevel = "timestamped" | "untimestamped" | "unsealed";

export interface KeptPdf {
  pdf: Uint8Array;
  /** SHA-256 of `pdf`, lowercase hex. */
  sha256: string;
  seal: SealLevel;
  /** True when this call wrote new bytes (first render or a re-seal): the caller anchors the new hash. */
  changed: boolean;
}

const unsealedKey = (key: string) => key.replace(/\.pdf$/, ".unsealed.pdf");

async function seal(env: Bindings, unsealed: Uint8Array, reason: string, at: Date) {
  const identity = await sealingIdentity(env.SEALING_KEY, env.SEALING_CERT);
  if (!identity) return { pdf: unsealed, seal: "unsealed" as SealLevel };
  const sealed = await sealPdf(unsealed, { identity, tsaUrl: env.TSA_URL, reason, signingTime: at });
  return { pdf: sealed.pdf, seal: (sealed.timestamped ? "timestamped" : "untimestamped") as SealLevel };
}

async function read(object: R2ObjectBody): Promise<KeptPdf> {
  const pdf = new Uint8Array(await object.arrayBuffer());
  const level = (object.customMetadata?.seal as SealLevel | undefined) ?? "unsealed";
  return { pdf, sha256: object.customMetadata?.sha256 ?? sha256Hex(pdf), seal: level, changed: false };
}

/**
 * @param key R2 key of the sealed PDF (the unsealed render sits beside it, `….unsealed.pdf`)
 * @param render makes the unsealed PDF; called only when nothing is stored yet
 * @param reason the signature dictionary's /Reason
 * @returns the stored PDF; `changed` when this call stored new bytes
 */
export async function keepSealed(
  env: Bindings,
  key: string,
  render: () => Promise<Uint8Array>,
  reason: string,
): Promise<KeptPdf> {
  const stored = await env.DOCUMENTS.get(key);
  if (stored) {
    const kept = await read(stored);
    // Re-seal only what lacks a timestamp that a configured TSA could now give.
    if (kept.seal !== "untimestamped" || !env.TSA_URL) return kept;
    const unsealed = await env.DOCUMENTS.get(unsealedKey(key));
    if (!unsealed) return kept;
    const resealed = await seal(env, new Uint8Array(await unsealed.arrayBuffer()), reason, new Date());
    if (resealed.seal !== "timestamped") return kept;
    const sha256 = sha256Hex(resealed.pdf);
    const put = await env.DOCUMENTS.put(key, resealed.pdf, {
      httpMetadata: { contentType: "application/pdf" },
      customMetadata: { sha256, seal: resealed.seal },
      onlyIf: { etagMatches: stored.etag },
    });
    // Another call re-sealed first: serve what it stored.
    if (!put) return read((await env.DOCUMENTS.get(key))!);
    return { pdf: resealed.pdf, sha256, seal: resealed.seal, changed: true };
  }
  const unsealed = await render();
  await env.DOCUMENTS.put(unsealedKey(key), unsealed, { httpMetadata: { contentType: "application/pdf" } });
  const sealed = await seal(env, unsealed, reason, new Date());
  const sha256 = sha256Hex(sealed.pdf);
  const put = await env.DOCUMENTS.put(key, sealed.pdf, {
    httpMetadata: { contentType: "application/pdf" },
    customMetadata: { sha256, seal: sealed.seal },
    onlyIf: { etagDoesNotMatch: "*" },
  });
  // A concurrent first call stored its bytes first: theirs are the document from now on.
  if (!put) return read((await env.DOCUMENTS.get(key))!);
  return { pdf: sealed.pdf, sha256, seal: sealed.seal, changed: true };
}
