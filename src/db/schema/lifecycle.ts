// Data lifecycle (issue 15): asynchronous personal-data exports (file in R2 until expiry) and the append-only log
// of consents given and withdrawn. Migration 0036 also adds the trigger that keeps consent records unchanged.
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { CONSENT_ACTIONS, CONSENT_KINDS } from "../../domain/consent";
import { DATA_EXPORT_STATUSES } from "../../domain/data-export";

export const dataExports = sqliteTable(
  "data_exports",
  {
    /** `dex_…` */
    id: text("id").primaryKey(),
    userId: text("user_id").notNull(),
    status: text("status", { enum: DATA_EXPORT_STATUSES }).notNull(),
    /** bytes of the JSON file */
    size: integer("size"),
    r2Key: text("r2_key"),
    error: text("error"),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
    completedAt: text("completed_at"),
    /** ISO UTC: the request + 24 h until ready, then the completion + 24 h (the emailed link's validity) */
    expiresAt: text("expires_at").notNull(),
  },
  (t) => [index("data_exports_user_idx").on(t.userId, t.createdAt), index("data_exports_expires_idx").on(t.expiresAt)],
);

export const consentRecords = sqliteTable(
  "consent_records",
  {
    /** `cns_…` */
    id: text("id").primaryKey(),
    /** The account that consented; null for a party who signed by signing link without a verified account. */
    userId: text("user_id"),
    /** The address the consent was given from (a signer's email); the pseudonym after erasure. */
    email: text("email"),
    kind: text("kind", { enum: CONSENT_KINDS }).notNull(),
    action: text("action", { enum: CONSENT_ACTIONS }).notNull(),
    /** e-signature consents: the contract and the party who signed */
    contractId: text("contract_id"),
    signerId: text("signer_id"),
    /** notification consents: the event type and channel opted in or out */
    eventType: text("event_type"),
    channel: text("channel"),
    /** Which wording was agreed to (src/domain/consent.ts CONSENT_TEXTS). */
    textVersion: text("text_version").notNull(),
    ip: text("ip"),
    userAgent: text("user_agent"),
    createdAt: text("created_at").notNull(),
  },
  (t) => [
    index("consent_records_user_idx").on(t.userId, t.createdAt),
    index("consent_records_contract_idx").on(t.contractId),
  ],
);
