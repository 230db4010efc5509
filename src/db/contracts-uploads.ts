// Resumable R2 multipart uploads of contract attachments: the upload row (R2 key + upload id) and its parts.
import { and, asc, eq, isNull } from "drizzle-orm";
import type { Database } from "./client";
import { contractAttachments, contractUploadParts, contractUploads } from "./schema/contracts";

export type UploadRow = typeof contractUploads.$inferSelect;

export function findOpenUpload(database: Database, contractId: string, uploadId: string) {
  return database
    .select()
    .from(contractUploads)
    .where(
      and(
        eq(contractUploads.id, uploadId),
        eq(contractUploads.contractId, contractId),
        isNull(contractUploads.completedAt),
      ),
    )
    .get();
}

export function uploadedParts(database: Database, uploadId: string) {
  return database
    .select({
      partNumber: contractUploadParts.partNumber,
      etag: contractUploadParts.etag,
      size: contractUploadParts.size,
    })
    .from(contractUploadParts)
    .where(eq(contractUploadParts.uploadId, uploadId))
    .orderBy(asc(contractUploadParts.partNumber))
    .all();
}

/** A part sent again (a retry after a failure) replaces the earlier one: R2 keeps the latest part too. */
export function recordPart(
  database: Database,
  uploadId: string,
  part: { partNumber: number; etag: string; size: number },
) {
  return database
    .insert(contractUploadParts)
    .values({ uploadId, ...part })
    .onConflictDoUpdate({
      target: [contractUploadParts.uploadId, contractUploadParts.partNumber],
      set: { etag: part.etag, size: part.size },
    });
}

export async function closeUpload(database: Database, uploadId: string, at: string) {
  await database.batch([
    database.update(contractUploads).set({ completedAt: at }).where(eq(contractUploads.id, uploadId)),
    database.delete(contractUploadParts).where(eq(contractUploadParts.uploadId, uploadId)),
  ]);
}

/** Uploads of a contract not yet completed or aborted (purged with a deleted draft). */
export function openUploadsOf(database: Database, contractId: string) {
  return database
    .select()
    .from(contractUploads)
    .where(and(eq(contractUploads.contractId, contractId), isNull(contractUploads.completedAt)))
    .all();
}

export function insertUpload(database: Database, row: typeof contractUploads.$inferInsert) {
  return database.insert(contractUploads).values(row);
}

/** The contract's record of one attachment (not the R2 object's metadata): only recorded attachments download. */
export function findAttachment(database: Database, contractId: string, attachmentId: string) {
  return database
    .select()
    .from(contractAttachments)
    .where(and(eq(contractAttachments.id, attachmentId), eq(contractAttachments.contractId, contractId)))
    .get();
}

/** An open upload with the parts already stored (to resume), or null. */
export async function openUploadWithParts(database: Database, contractId: string, uploadId: string) {
  const upload = await findOpenUpload(database, contractId, uploadId);
  return upload ? { upload, parts: await uploadedParts(database, uploadId) } : null;
}
