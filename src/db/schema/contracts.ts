// D1 projection of ContractRoom: one row per contract plus its signers, attachments and shares, written only by
// the room's outbox. No foreign keys on purpose: rows are replaced as a unit in one batch by their single writer,
// and a table rebuild in a later migration must not cascade-delete projections (D1 enforces foreign keys).
import { sqliteTable, text, integer, index, primaryKey } from "drizzle-orm/sqlite-core";
import { CONTRACT_STATUSES, SIGNER_ROLES, SIGNER_STATUSES } from "../../domain/contract-machine";

export const contracts = sqliteTable(
  "contracts",
  {
    id: text("id").primaryKey(),
    title: text("title").notNull(),
    type: text("type").notNull(),
    description: text("description"),
    status: text("status", { enum: CONTRACT_STATUSES }).notNull(),
    version: integer("version").notNull(),
    ownerId: text("owner_id").notNull(),
    teamId: text("team_id"),
    body: text("body").notNull(),
    variables: text("variables", { mode: "json" }).$type<Record<string, string>>().notNull(),
    templateId: text("template_id"),
    templateVersion: integer("template_version"),
    valueAmount: integer("value_amount"),
    valueCurrency: text("value_currency"),
    tags: text("tags", { mode: "json" }).$type<string[]>().notNull(),
    category: text("category"),
    documentHash: text("document_hash"),
    expiresAt: text("expires_at"),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
    sentAt: text("sent_at"),
    activatedAt: text("activated_at"),
    completedAt: text("completed_at"),
    cancelledAt: text("cancelled_at"),
    cancelReason: text("cancel_reason"),
    /** The room's revision this row reflects (tests and operators compare it with the object's). */
    revision: integer("revision").notNull(),
  },
  (t) => [
    index("contracts_owner_idx").on(t.ownerId, t.createdAt),
    index("contracts_team_idx").on(t.teamId, t.createdAt),
    index("contracts_status_idx").on(t.status, t.createdAt),
    // Reports and analytics (migration 0032): range scans over every visible contract by when it was created/sent.
    index("contracts_created_idx").on(t.createdAt, t.ownerId, t.teamId, t.type, t.sentAt, t.activatedAt),
    index("contracts_sent_idx").on(t.sentAt, t.activatedAt),
    index("contracts_activated_idx").on(t.activatedAt, t.sentAt),
  ],
);

export const contractSigners = sqliteTable(
  "contract_signers",
  {
    id: text("id").primaryKey(),
    contractId: text("contract_id").notNull(),
    /** Lower-cased; how a party finds the contracts they are on (with or without an account yet). */
    email: text("email").notNull(),
    name: text("name").notNull(),
    role: text("role", { enum: SIGNER_ROLES }).notNull(),
    order: integer("order").notNull(),
    status: text("status", { enum: SIGNER_STATUSES }).notNull(),
    signedAt: text("signed_at"),
    signature: text("signature", { mode: "json" }).$type<Record<string, unknown>>(),
  },
  (t) => [
    index("contract_signers_contract_idx").on(t.contractId, t.order),
    index("contract_signers_email_idx").on(t.email),
  ],
);

export const contractAttachments = sqliteTable(
  "contract_attachments",
  {
    id: text("id").primaryKey(),
    contractId: text("contract_id").notNull(),
    name: text("name").notNull(),
    contentType: text("content_type").notNull(),
    size: integer("size").notNull(),
    sha256: text("sha256").notNull(),
    uploadedBy: text("uploaded_by").notNull(),
    createdAt: text("created_at").notNull(),
  },
  (t) => [index("contract_attachments_contract_idx").on(t.contractId)],
);

export const contractShares = sqliteTable(
  "contract_shares",
  {
    id: text("id").primaryKey(),
    contractId: text("contract_id").notNull(),
    /** Lower-cased. */
    email: text("email").notNull(),
    userId: text("user_id"),
    permission: text("permission", { enum: ["view", "edit"] }).notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: text("created_at").notNull(),
  },
  (t) => [index("contract_shares_contract_idx").on(t.contractId), index("contract_shares_email_idx").on(t.email)],
);

/** Multipart uploads in progress (R2 upload ids), so a client can resume and list what it already sent. */
export const contractUploads = sqliteTable(
  "contract_uploads",
  {
    id: text("id").primaryKey(),
    contractId: text("contract_id").notNull(),
    r2Key: text("r2_key").notNull(),
    r2UploadId: text("r2_upload_id").notNull(),
    name: text("name").notNull(),
    contentType: text("content_type").notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: text("created_at").notNull(),
    completedAt: text("completed_at"),
  },
  (t) => [index("contract_uploads_contract_idx").on(t.contractId)],
);

export const savedSearches = sqliteTable(
  "saved_searches",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull(),
    name: text("name").notNull(),
    query: text("query", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    createdAt: text("created_at").notNull(),
  },
  (t) => [index("saved_searches_user_idx").on(t.userId)],
);

export const contractUploadParts = sqliteTable(
  "contract_upload_parts",
  {
    uploadId: text("upload_id").notNull(),
    partNumber: integer("part_number").notNull(),
    etag: text("etag").notNull(),
    size: integer("size").notNull(),
  },
  (t) => [primaryKey({ columns: [t.uploadId, t.partNumber] })],
);
