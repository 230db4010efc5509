// The certificate of completion: every party, what they did, when, from which IP, how they signed (with the
// platform's countersignature key id), the frozen document's hash, the execution hash and the audit chain head.
// The same hashes go into the PDF's keywords so a program can check them without parsing page text.
import { PDFDocument } from "pdf-lib";
import type { AuditEvent } from "../domain/audit-chain";
import type { ContractState } from "../domain/contract-machine";
import { Writer, pdfSafe } from "./contract-pdf";
import type { FontLoader } from "./fonts";

export interface CertificateFacts {
  documentHash: string;
  executionHash: string | null;
  auditHead: { seq: number; hash: string };
}

/** The hashes the certificate states: document, execution (from contract.activated), and the audit chain head. */
export function certificateFacts(state: ContractState, audit: AuditEvent[]): CertificateFacts {
  const last = audit.at(-1)!;
  const activated = audit.find((e) => e.type === "contract.activated");
  const executionHash = (activated?.data as { executionHash?: string } | undefined)?.executionHash ?? null;
  return { documentHash: state.documentHash!, executionHash, auditHead: { seq: last.seq, hash: last.hash } };
}

const field = (v: unknown) => (typeof v === "string" && v ? v : "-");

export async function renderCertificatePdf(state: ContractState, audit: AuditEvent[], fonts: FontLoader): Promise<Uint8Array> {
  const facts = certificateFacts(state, audit);
  const doc = await PDFDocument.create({ updateMetadata: false });
  doc.setTitle(pdfSafe(`Certificate of completion \u2014 ${state.title}`), { showInWindowTitleBar: false });
  doc.setSubject(`Escra certificate for contract ${state.id}`);
  doc.setKeywords([`document:${facts.documentHash}`, `execution:${facts.executionHash ?? ""}`, `audit:${facts.auditHead.seq}:${facts.auditHead.hash}`]);
  doc.setCreator("Escra");
  doc.setProducer("Escra");
  const at = new Date(state.activatedAt ?? state.updatedAt);
  doc.setCreationDate(at);
  doc.setModificationDate(at);
  const w = new Writer(doc, fonts);

  await w.text("Certificate of completion", { size: 20, style: "bold", gapAfter: 6 });
  await w.text(`${state.title} (${state.id})`, { style: "bold" });
  await w.text(`Status: ${state.status}. Sent ${field(state.sentAt)}; every required party signed ${field(state.activatedAt)}.`, { gapAfter: 4 });
  if (state.completedAt) w.text(`Completed ${state.completedAt}.`);

  await w.heading("Hashes");
  await w.text(`Document (SHA-256 of the frozen PDF): ${facts.documentHash}`, { size: 9 });
  await w.text(`Execution record: ${facts.executionHash ?? "-"}`, { size: 9 });
  await w.text(`Audit chain head: event ${facts.auditHead.seq}, hash ${facts.auditHead.hash}`, { size: 9 });

  await w.heading("Parties");
  for (const s of [...state.signers].sort((a, b) => a.order - b.order || a.email.localeCompare(b.email))) {
    const sig = (s.signature ?? {}) as Record<string, unknown>;
    const action = s.role === "approver" ? "approved" : s.role === "signer" ? "signed" : "received a copy";
    await w.text(`${s.order}. ${s.name} <${s.email}> \u2014 ${s.role}, ${s.status === "signed" ? action : s.status}`, { style: "bold" });
    if (s.signedAt) w.text(`At ${s.signedAt}`, { size: 9 });
    if (s.signature) {
      await w.text(`Signature: ${field(sig.type)}${sig.address ? ` by ${String(sig.address)}` : ""}; signed document ${field(sig.documentHash)}`, { size: 9 });
      await w.text(`IP ${field(sig.ip)}; user agent ${field(sig.userAgent)}; consent ${sig.consent === true ? "given" : "-"}`, { size: 9 });
      const cs = sig.countersignature as { kid?: string } | undefined;
      await w.text(`Countersigned by Escra (Ed25519 key ${field(cs?.kid)}, published in /.well-known/jwks.json)`, { size: 9, gapAfter: 2 });
    }
  }

  await w.heading("Audit trail");
  for (const e of audit) {
    const data = e.data as Record<string, unknown>;
    const who = data.signerId ? ` signer ${String(data.signerId)}` : "";
    // No actor: a party acting through their emailed signing link (no account), or the platform (cron).
    const by = e.actorId ?? (data.signerId && (e.type === "contract.signed" || e.type === "contract.approved" || e.type === "contract.declined") ? "signing link" : "Escra");
    await w.text(`#${e.seq} ${e.at} ${e.type}${who} by ${by}`, { size: 8.5 });
    await w.text(`hash ${e.hash}`, { size: 7.5, gapAfter: 1 });
  }
  return doc.save({ useObjectStreams: false });
}
