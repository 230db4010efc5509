// The certificate of completion (issue 14.3), for an auditor to follow without Escra: the sender, every party by
// name and email with their signature image or typed signature, the consent they gave, times a person reads (with
// the UTC offset), IP and user agent, the document, executed-document and execution hashes, the audit chain with
// actor names, and the anchoring details (network, transaction, block, how to verify offline), with a QR code that
// opens /verify. The same hashes go into the PDF's keywords so a program can check them without parsing page text.
import { PDFDocument } from "pdf-lib";
import { encode as encodeQr } from "uqr";
import type { AuditEvent } from "../domain/audit-chain";
import type { ContractState } from "../domain/contract-machine";
import { CONSENT_TEXT } from "../domain/consent";
import { humanInstant } from "../domain/time";
import { EXECUTION_HASH_SCHEME, LEGACY_EXECUTION_HASH_SCHEME } from "../domain/execution-hash";
import { INK, MUTED, PAGE, Writer, pdfSafe } from "./contract-pdf";
import type { FontLoader } from "./fonts";

export interface CertificateFacts {
  /** SHA-256 (hex) of the frozen PDF as sent, the hash every signature is over. */
  documentHash: string;
  /** SHA-256 (hex) of the executed PDF the execution record commits to; null until it is final. */
  executedDocumentHash: string | null;
  /** The execution record's hash (0x…, anchored as "execution"); null until the executed PDF is final. */
  executionHash: string | null;
  /** Which preimage layout executionHash follows (escra-execution-v2; v1 for records made before 14.2). */
  executionScheme: string | null;
  auditHead: { seq: number; hash: string };
}

/**
 * The hashes the certificate states: the frozen document, the executed document and the execution record (from
 * contract.execution_recorded; a legacy record's from contract.activated), and the audit chain head.
 */
export function certificateFacts(state: ContractState, audit: AuditEvent[]): CertificateFacts {
  const last = audit.at(-1)!;
  const recorded = audit.findLast((e) => e.type === "contract.execution_recorded")?.data as
    | { executionHash?: string; executedDocumentHash?: string }
    | undefined;
  const legacy = audit.find((e) => e.type === "contract.activated")?.data as { executionHash?: string } | undefined;
  const executionHash = recorded?.executionHash ?? legacy?.executionHash ?? null;
  return {
    documentHash: state.documentHash!,
    executedDocumentHash: recorded?.executedDocumentHash ?? null,
    executionHash,
    executionScheme: recorded ? EXECUTION_HASH_SCHEME : executionHash ? LEGACY_EXECUTION_HASH_SCHEME : null,
    auditHead: { seq: last.seq, hash: last.hash },
  };
}

/** An anchoring record as the certificate states it (the API's AnchorRecord view). */
export interface CertificateAnchor {
  kind: string;
  hash: string;
  status: string;
  network: { name: string; chainId: number };
  txHash: string | null;
  blockNumber: number | null;
  confirmations: number;
  proof: { root: string } | null;
}

export interface CertificateInput {
  state: ContractState;
  audit: AuditEvent[];
  /** The contract's owner, who sent it. */
  sender: { name: string; email: string } | null;
  /** Display names ("Name <email>") of the accounts in the audit chain, by user id. */
  actors: Map<string, string>;
  /** Drawn or uploaded signature images by signer id (PNG or JPEG). */
  images: Map<string, { bytes: Uint8Array; type: string }>;
  anchors: CertificateAnchor[];
  /** Where /verify lives (the QR code's target), e.g. https://api.escra.example/api/v1/verify */
  verifyUrl: string;
}

const field = (v: unknown) => (typeof v === "string" && v ? v : "-");
const when = (iso: string | null | undefined) => (iso ? humanInstant(iso) : "-");

/** Draws `text` as a QR code (ISO/IEC 18004, uqr) of vector squares: `size` points wide, top-left at (x, top). */
function drawQr(w: Writer, text: string, size: number) {
  const qr = encodeQr(text, { ecc: "M", border: 2 });
  const cell = size / qr.size;
  const { page, top } = w.space(size + 6);
  const x = PAGE.margin;
  qr.data.forEach((row, r) =>
    row.forEach((dark, c) => {
      if (dark) page.drawRectangle({ x: x + c * cell, y: top - (r + 1) * cell, width: cell, height: cell, color: INK });
    }),
  );
}

async function embedImage(doc: PDFDocument, image: { bytes: Uint8Array; type: string }) {
  try {
    return image.type === "image/png" ? await doc.embedPng(image.bytes) : await doc.embedJpg(image.bytes);
  } catch {
    return null;
  }
}

/** Who did an audited action: the account's name, a party through their signing link, or the platform. */
function actorOf(e: AuditEvent, state: ContractState, actors: Map<string, string>): string {
  if (e.actorId) return actors.get(e.actorId) ?? e.actorId;
  const signerId = (e.data as { signerId?: unknown }).signerId;
  const party = typeof signerId === "string" ? state.signers.find((s) => s.id === signerId) : undefined;
  if (party) return `${party.name} <${party.email}> (signing link)`;
  return "Escra (automatic)";
}

export async function renderCertificatePdf(x: CertificateInput, fonts: FontLoader): Promise<Uint8Array> {
  const { state, audit } = x;
  const facts = certificateFacts(state, audit);
  const doc = await PDFDocument.create({ updateMetadata: false });
  doc.setTitle(pdfSafe(`Certificate of completion \u2014 ${state.title}`), { showInWindowTitleBar: false });
  doc.setSubject(`Escra certificate for contract ${state.id}`);
  doc.setKeywords([
    `document:${facts.documentHash}`,
    `executed:${facts.executedDocumentHash ?? ""}`,
    `execution:${facts.executionHash ?? ""}`,
    `audit:${facts.auditHead.seq}:${facts.auditHead.hash}`,
  ]);
  doc.setCreator("Escra");
  doc.setProducer("Escra");
  const at = new Date(state.activatedAt ?? state.updatedAt);
  doc.setCreationDate(at);
  doc.setModificationDate(at);
  const w = new Writer(doc, fonts);

  await w.text("Certificate of completion", { size: 20, style: "bold", gapAfter: 6 });
  await w.text(`${state.title}`, { style: "bold" });
  await w.text(`Contract ${state.id}, version ${state.version}. Status: ${state.status}.`, { size: 9.5, color: MUTED });
  const sender = x.sender ? `${x.sender.name} <${x.sender.email}>` : "(deleted account)";
  await w.text(`Sent by ${sender} on ${when(state.sentAt)}.`);
  await w.text(`Every required party signed by ${when(state.activatedAt)}.`, { gapAfter: 2 });
  if (state.completedAt) await w.text(`Completed ${when(state.completedAt)}.`);

  await w.heading("Parties and signatures");
  for (const s of [...state.signers].sort((a, b) => a.order - b.order || a.email.localeCompare(b.email))) {
    const sig = (s.signature ?? {}) as Record<string, unknown>;
    const action = s.role === "approver" ? "approved" : s.role === "signer" ? "signed" : "received a copy";
    const did = s.status === "signed" ? action : s.status;
    await w.text(`${s.order}. ${s.name} <${s.email}> \u2014 ${s.role}, ${did}`, { style: "bold" });
    if (s.signedAt) await w.text(`At ${when(s.signedAt)}`, { size: 9 });
    if (!s.signature) continue;
    const image = x.images.get(s.id);
    const embedded = image ? await embedImage(doc, image) : null;
    if (embedded) {
      const scale = Math.min(160 / embedded.width, 44 / embedded.height, 1);
      const { page, top } = w.space(embedded.height * scale + 6);
      const [width, height] = [embedded.width * scale, embedded.height * scale];
      page.drawImage(embedded, { x: PAGE.margin, y: top - height - 3, width, height });
    } else if (sig.type === "typed" && typeof sig.value === "string" && sig.value) {
      await w.text(sig.value, { size: 18, style: "hand" });
    }
    const how = `${field(sig.type)} signature${sig.address ? ` by wallet ${String(sig.address)} (EIP-712)` : ""}`;
    await w.text(`${how}; signer id ${s.id}; over document ${field(sig.documentHash)}`, { size: 8.5 });
    await w.text(`IP ${field(sig.ip)}; user agent ${field(sig.userAgent)}`, { size: 8.5 });
    await w.text(`Consent to electronic signature: ${sig.consent === true ? "given" : "-"}`, { size: 8.5 });
    const cs = sig.countersignature as { kid?: string } | undefined;
    const countersigned = `Countersigned by Escra (Ed25519 key ${field(cs?.kid)}, published in /.well-known/jwks.json)`;
    await w.text(countersigned, { size: 8.5, gapAfter: 4 });
  }
  const consent = `Consent every party gave before signing: \u201c${CONSENT_TEXT}\u201d`;
  await w.text(consent, { size: 8.5, color: MUTED, gapAfter: 2 });

  await w.heading("Hashes");
  await w.text(`Document as sent (SHA-256 of the frozen PDF): ${facts.documentHash}`, { size: 8.5 });
  const executed = facts.executedDocumentHash ?? "- (being sealed)";
  await w.text(`Executed document (SHA-256 of the sealed executed PDF): ${executed}`, { size: 8.5 });
  const scheme = facts.executionScheme ?? EXECUTION_HASH_SCHEME;
  await w.text(`Execution record (${scheme}): ${facts.executionHash ?? "- (made once the executed PDF is sealed)"}`, {
    size: 8.5,
  });
  if (facts.executedDocumentHash) {
    await w.text(
      "The execution record is SHA-256 of the canonical JSON of { auditHead, documentHash, executedDocumentHash, " +
        `scheme: "${EXECUTION_HASH_SCHEME}", signatures }: it commits to the executed PDF, the document the parties ` +
        "signed, the signatures and the audit chain up to it. It is the value anchored on chain for the executed PDF.",
      { size: 8, color: MUTED },
    );
  }
  await w.text(`Audit chain head: event ${facts.auditHead.seq}, hash ${facts.auditHead.hash}`, { size: 8.5 });

  await w.heading("Anchoring");
  if (x.anchors.length === 0) {
    await w.text("No record of this contract is queued for anchoring.", { size: 9, color: MUTED });
  }
  for (const a of x.anchors) {
    const where = `${a.network.name} (chain id ${a.network.chainId})`;
    await w.text(`${a.kind} ${a.hash} \u2014 ${a.status} on ${where}`, { size: 8.5, style: "bold" });
    if (a.txHash) {
      const mined = `Transaction ${a.txHash}, block ${a.blockNumber ?? "-"}, ${a.confirmations} confirmations`;
      await w.text(`${mined}; Merkle root ${a.proof?.root ?? "-"}`, { size: 8 });
    } else {
      await w.text("Waiting for the next anchoring batch.", { size: 8, color: MUTED });
    }
  }
  await w.text(
    "To verify offline: compute the SHA-256 of the PDF you hold; take its record's proof from " +
      `GET /api/v1/contracts/${state.id}/anchor (the frozen PDF: the document record of that hash; the executed PDF: ` +
      "the execution record whose executedDocumentHash is that hash, whose anchored hash is the execution record " +
      'above); check StandardMerkleTree.verify(root, ["bytes32"], [hash], proof) ' +
      "(OpenZeppelin) or `npm run verify-proof`; and check that the transaction's input data is exactly the root " +
      "on the named chain. Or scan the code to ask /verify, or upload the file there.",
    { size: 8.5, color: MUTED, gapAfter: 4 },
  );
  await w.text(x.verifyUrl, { size: 8.5 });
  drawQr(w, x.verifyUrl, 84);

  await w.heading("Audit trail");
  for (const e of audit) {
    await w.text(`#${e.seq} ${when(e.at)} \u2014 ${e.type} by ${actorOf(e, state, x.actors)}`, { size: 8.5 });
    await w.text(`hash ${e.hash}`, { size: 7.5, color: MUTED, gapAfter: 1 });
  }
  await w.footers(`Certificate ${state.id}`);
  return doc.save({ useObjectStreams: false });
}
