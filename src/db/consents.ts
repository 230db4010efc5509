// The consent log (consent_records, issue 15.5): append-only inserts (the migration's trigger refuses edits of what
// was consented), the caller's page of records, and their API view with the wording each refers to.
import { count, desc, eq } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Database } from "./client";
import { consentRecords } from "./schema/lifecycle";
import { newId } from "../lib/ids";
import { CONSENT_TEXTS, NOTIFICATION_CONSENT_VERSION, type ChannelConsentChange } from "../domain/consent";

export type ConsentRow = typeof consentRecords.$inferSelect;

/** Where a consent was given from (the request's IP and user agent; null when unknown). */
export interface ConsentOrigin {
  ip: string | null;
  userAgent: string | null;
}

/** One insert per changed channel (one row each keeps every statement far under D1's 100 bound parameters). */
export function channelConsentStatements(
  database: Database,
  userId: string,
  changes: readonly ChannelConsentChange[],
  origin: ConsentOrigin,
  now: string,
): BatchItem<"sqlite">[] {
  return changes.map((c) =>
    database.insert(consentRecords).values({
      id: newId("cns"),
      userId,
      email: null,
      kind: "notifications",
      action: c.action,
      contractId: null,
      signerId: null,
      eventType: c.eventType,
      channel: c.channel,
      textVersion: NOTIFICATION_CONSENT_VERSION,
      ip: origin.ip,
      userAgent: origin.userAgent?.slice(0, 500) ?? null,
      createdAt: now,
    }),
  );
}

/**
 * The e-signature consent a party gave when signing, as a raw statement for a Durable Object's outbox
 * (idempotent: the id is drawn once, in the command, so a replayed outbox entry adds nothing). The account is the
 * one that acted, else the account that verified the signer's address (a party signing by link is that person).
 */
export function esignConsentStatement(input: {
  contractId: string;
  signerId: string;
  signerEmail: string;
  actorId: string | null;
  textVersion: string;
  ip: string | null;
  userAgent: string | null;
  signedAt: string;
}): { sql: string; params: unknown[] } {
  return {
    sql: `INSERT INTO consent_records (id, user_id, email, kind, action, contract_id, signer_id, event_type, channel,
            text_version, ip, user_agent, created_at)
          VALUES (?, coalesce(?, (SELECT id FROM users WHERE email = ? AND email_verified_at IS NOT NULL
                                   AND deleted_at IS NULL LIMIT 1)),
                  ?, 'esign', 'given', ?, ?, NULL, NULL, ?, ?, ?, ?)
          ON CONFLICT (id) DO NOTHING`,
    params: [
      newId("cns"),
      input.actorId,
      input.signerEmail,
      input.signerEmail,
      input.contractId,
      input.signerId,
      input.textVersion,
      input.ip,
      input.userAgent?.slice(0, 500) ?? null,
      input.signedAt,
    ],
  };
}

/** The user's consent records, newest first, one page; and how many there are. */
export async function consentsOf(database: Database, userId: string, page: { limit: number; offset: number }) {
  const [items, total] = await Promise.all([
    database
      .select()
      .from(consentRecords)
      .where(eq(consentRecords.userId, userId))
      .orderBy(desc(consentRecords.createdAt), desc(consentRecords.id))
      .limit(page.limit)
      .offset(page.offset)
      .all(),
    database.select({ n: count() }).from(consentRecords).where(eq(consentRecords.userId, userId)).get(),
  ]);
  return { items, total: total?.n ?? 0 };
}

/** A consent record as the API and the export show it: the wording agreed to quoted with its version. */
export function consentView(r: ConsentRow) {
  return {
    id: r.id,
    kind: r.kind,
    action: r.action,
    contractId: r.contractId,
    eventType: r.eventType,
    channel: r.channel,
    textVersion: r.textVersion,
    text: CONSENT_TEXTS[r.textVersion] ?? null,
    ip: r.ip,
    userAgent: r.userAgent,
    createdAt: r.createdAt,
  };
}
