// Inbound email (Email Workers): mail to `contract+<ctr_id>@<INBOUND_EMAIL_DOMAIN>` from one of the contract's
// parties (its owner or a signer, by envelope sender) adds the attachments to the draft — with the same checks
// as uploads — and records the message in the contract's audit. Anything else is rejected with a reason the
// sender's server reports back; nothing is dropped silently.
// Limit: the envelope sender is trusted as far as Email Routing's SPF/DKIM checks vouch for it.
import PostalMime, { type Email } from "postal-mime";
import type { Bindings } from "../env";
import { ApiError } from "../lib/errors";
import { log } from "../lib/request-context";
import { findUserById, findVerifiedUserByEmail } from "../db/users";
import { checkAttachment } from "../lib/attachments";
import { storeAttachment } from "../services/contracts/store-attachment";
import {
  contractIdFromAddress,
  isParty,
  MAX_INBOUND_ATTACHMENTS,
  normaliseAddress,
  type InboundEmailRecord,
} from "../domain/inbound-email";
import { contractRoom } from "../../durable-objects/contract-room";
import { unwrap } from "../../durable-objects/lib/rpc-result";

/** Email Routing accepts messages up to 25 MiB. */
const MAX_MESSAGE_BYTES = 25 * 1024 * 1024;

class Rejection extends Error {}

export async function handleInboundEmail(message: ForwardableEmailMessage, env: Bindings): Promise<void> {
  try {
    const outcome = await accept(message, env);
    log("info", "inbound email accepted", outcome);
  } catch (err) {
    const reason =
      err instanceof Rejection ? err.message : "The message could not be processed; please try again later";
    log(err instanceof Rejection ? "info" : "error", "inbound email rejected", {
      to: message.to,
      reason,
      ...(err instanceof Rejection ? {} : { error: err instanceof Error ? err.message : String(err) }),
    });
    message.setReject(reason);
  }
}

async function accept(message: ForwardableEmailMessage, env: Bindings) {
  const contractId = contractIdFromAddress(message.to, env.INBOUND_EMAIL_DOMAIN);
  if (!contractId) throw new Rejection("No mailbox accepts mail at this address");
  if (message.rawSize > MAX_MESSAGE_BYTES) throw new Rejection("The message is larger than 25 MiB");

  let email: Email;
  try {
    email = await PostalMime.parse(message.raw);
  } catch {
    throw new Rejection("The message could not be read as MIME");
  }
  const messageId = (email.messageId ?? message.headers.get("message-id") ?? "").trim();
  if (!messageId) throw new Rejection("The message has no Message-ID");

  const room = contractRoom(env, contractId);
  const state = await room.get();
  if (!state) throw new Rejection("No such contract");
  const owner = await findUserById(env.DB, state.ownerId);
  const parties = [...(owner ? [owner.email] : []), ...state.signers.map((s) => s.email)];
  if (!isParty(message.from, parties)) throw new Rejection("Only the contract's parties may send mail to this address");
  if (state.status !== "draft") throw new Rejection("Attachments can only be added while the contract is a draft");

  const files = email.attachments.filter((a) => a.disposition !== "inline" || a.filename);
  if (files.length === 0) throw new Rejection("The message has no attachments");
  if (files.length > MAX_INBOUND_ATTACHMENTS)
    throw new Rejection(`At most ${MAX_INBOUND_ATTACHMENTS} attachments per message`);

  const audit = await room.auditTrail();
  if (
    audit.some(
      (e) => e.type === "contract.email_received" && (e.data as { messageId?: string }).messageId === messageId,
    )
  ) {
    // The same message delivered again: already attached and audited.
    return { contractId, messageId, duplicate: true };
  }

  // Every file is checked before any is stored, so a bad one leaves nothing behind.
  const checked = files.map((file, i) => {
    const bytes = toBytes(file.content);
    const name = file.filename ?? `attachment-${i + 1}`;
    try {
      checkAttachment(bytes);
    } catch (err) {
      if (err instanceof ApiError) throw new Rejection(`Attachment "${name.slice(0, 100)}": ${err.message}`);
      throw err;
    }
    return { name, bytes };
  });

  const sender = normaliseAddress(message.from);
  const senderUser =
    owner && normaliseAddress(owner.email) === sender ? owner : await findVerifiedUserByEmail(env.DB, sender);
  const actorId = senderUser?.id ?? state.signers.find((s) => normaliseAddress(s.email) === sender)!.id;

  const stored: InboundEmailRecord["attachments"] = [];
  for (const file of checked) {
    try {
      const meta = await storeAttachment(env, actorId, contractId, file);
      stored.push({ id: meta.id, name: meta.name, sha256: meta.sha256, size: meta.size });
    } catch (err) {
      // e.g. the contract was sent between our check and this write.
      if (err instanceof ApiError)
        throw new Rejection(`Attachment "${file.name.slice(0, 100)}" was not added: ${err.message}`);
      throw err;
    }
  }
  const record: InboundEmailRecord = {
    messageId,
    from: sender,
    subject: (email.subject ?? "").slice(0, 300),
    attachments: stored,
  };
  unwrap(await room.recordInboundEmail(actorId, record));
  return { contractId, messageId, attachments: stored.length };
}

function toBytes(content: ArrayBuffer | Uint8Array | string): Uint8Array {
  if (typeof content === "string") return new TextEncoder().encode(content);
  return content instanceof Uint8Array ? content : new Uint8Array(content);
}
