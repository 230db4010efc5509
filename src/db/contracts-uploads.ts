// Resumable R2 multipart uploads of contract attachments: the upload row (R2 key + upload id) and its parts.
import { and, asc, eq, isNull } from "drizzle-orm";
import type { Database } from "./client";
import { contractUploadParts, contractUploads } from "./schema/contracts";

export type UploadRow = typeof contractUploads.$inferSelect;

export function findOpenUpload(database: Database, contractId: string, uploadId: string) {
  return database
    .select()
    .from(contractUploads)
    .where(and(eq(contractUploads.id, uploadId), eq(contractUploads.contractId, contractId), isNull(contractUploads.completedAt)))
    .get();
}

export function uploadedParts(database: Database, uploadId: string) {
  return database
    .select({ partNumber: contractUploadParts.partNumber, etag: contractUploadParts.etag, size: contractUploadParts.size })
    .from(contractUploadParts)
    .where(eq(contractUploadParts.uploadId, uploadId))
    .orderBy(asc(contractUploadParts.partNumber))
    .all();
}

/** A part sent again (a retry after a failure) replaces the earlier one: R2 keeps the latest part too. */
export function recordPart(database: Database, uploadId: string, part: { partNumber: number; etag: string; size: number }) {
  return database
    .insert(contractUploadParts)
    .values({ uploadId, ...part })
    .onConflictDoUpdate({ target: [contractUploadParts.uploadId, contractUploadParts.partNumber], set: { etag: part.etag, size: part.size } });
}

export async function closeUpload(database: Database, uploadId: string, at: string) {
  await database.batch([
    database.update(contractUploads).set({ completedAt: at }).where(eq(contractUploads.id, uploadId)),
    database.delete(contractUploadParts).where(eq(contractUploadParts.uploadId, uploadId)),
  ]);
}
