// The certificate of completion (issue 14.3/14.4): gathered from the contract room (state, audit chain), the
// accounts (sender and actor names), R2 (signature images), the execution record and the anchoring records, then
// PAdES-sealed and kept in R2 per audit head and anchoring state — a new event or an anchoring step makes a new
// certificate, while asking twice for the same facts returns the same sealed bytes.
import type { Bindings } from "../../env";
import { fail } from "../../lib/errors";
import { wasExecuted } from "../../domain/contract-machine";
import { sha256Hex } from "../../lib/crypto";
import { assetFontLoader } from "../../lib/fonts";
import { keepSealed, type SealLevel } from "../../lib/sealed-store";
import { certificateFacts, renderCertificatePdf } from "../../lib/certificate-pdf";
import type { CertificateAnchor, CertificateFacts } from "../../lib/certificate-pdf";
import { headBlocks, withLiveConfirmations } from "../../lib/anchor-verify";
import { recordsOfContract } from "../../db/anchors";
import { findUserById } from "../../db/users";
import { contractRoom } from "../../../durable-objects/contract-room";

export interface Certificate {
  pdf: Uint8Array;
  sha256: string;
  seal: SealLevel;
  facts: CertificateFacts;
  title: string;
}

/**
 * @returns the sealed certificate and the hashes it states
 * @throws RES001 unknown contract; RES002 before every required party signed
 */
export async function getCertificate(env: Bindings, contractId: string): Promise<Certificate> {
  const room = contractRoom(env, contractId);
  const [state, audit] = await Promise.all([room.get(), room.auditTrail()]);
  if (!state) throw fail.notFound("Contract");
  if (!wasExecuted(state)) {
    throw fail.conflict(`A certificate exists once every party signed; this contract is ${state.status}`);
  }
  const facts = certificateFacts(state, audit);
  const rows = await recordsOfContract(env.DB, contractId);
  const anchors: CertificateAnchor[] = withLiveConfirmations(env, rows, await headBlocks(env, rows)).map((r) => {
    const settled = r.status === "anchored" || r.status === "confirmed";
    return {
      kind: r.kind,
      hash: r.hash,
      status: r.status,
      network: { name: r.network, chainId: r.chainId },
      txHash: settled ? r.txHash : null,
      blockNumber: settled ? r.blockNumber : null,
      confirmations: settled ? r.confirmations : 0,
      proof: settled && r.root ? { root: r.root } : null,
    };
  });
  // One certificate per audit head and anchoring state (confirmation counts move on without changing what is proved).
  const anchoringState = anchors.map((a) => `${a.hash}:${a.status}:${a.txHash}`).join(",");
  const anchoring = sha256Hex(new TextEncoder().encode(anchoringState)).slice(0, 16);
  // The execution record is an audit event, so the audit head already tells a certificate made before it apart.
  const key = `contracts/${contractId}/certificate-${facts.auditHead.seq}-${anchoring}.pdf`;

  const base = env.PUBLIC_BASE_URL.replace(/\/$/, "");
  const kept = await keepSealed(
    env,
    key,
    async () => {
      const userIds = new Set([state.ownerId, ...audit.flatMap((e) => (e.actorId ? [e.actorId] : []))]);
      const users = await Promise.all([...userIds].map((id) => findUserById(env.DB, id)));
      const actors = new Map(users.flatMap((u) => (u ? [[u.id, `${u.name} <${u.email}>`] as const] : [])));
      const owner = users.find((u) => u?.id === state.ownerId) ?? null;
      const images = new Map<string, { bytes: Uint8Array; type: string }>();
      for (const s of state.signers) {
        const sig = s.signature as { imageKey?: string | null; imageType?: string | null } | null;
        const image = sig?.imageKey ? await env.DOCUMENTS.get(sig.imageKey) : null;
        if (!image) continue;
        images.set(s.id, { bytes: new Uint8Array(await image.arrayBuffer()), type: sig?.imageType ?? "image/png" });
      }
      return renderCertificatePdf(
        {
          state,
          audit,
          sender: owner ? { name: owner.name, email: owner.email } : null,
          actors,
          images,
          anchors,
          verifyUrl: `${base}/api/v1/verify?hash=0x${facts.documentHash.replace(/^0x/, "")}`,
        },
        assetFontLoader(env.ASSETS),
      );
    },
    "Certificate of completion, sealed by Escra",
  );
  return { pdf: kept.pdf, sha256: kept.sha256, seal: kept.seal, facts, title: state.title };
}
