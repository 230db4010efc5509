// Contract attachments in R2: direct multipart/form-data upload (≤ 25 MiB) and resumable R2 multipart uploads for
// large files (create → parts → complete; GET lists the parts already stored). The type is decided by the file's
// magic bytes against an allow-list, never by what the client declares; the SHA-256 is recorded on the contract.
import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "../lib/router";
import { envelope, errorResponses, jsonBody, jsonContent } from "../lib/openapi";
import { ok } from "../lib/respond";
import { contentDisposition } from "../lib/content-disposition";
import { ApiError, fail } from "../lib/errors";
import { principalOf, requireScope } from "../lib/auth";
import { newId } from "../lib/ids";
import { GIF, JPEG, PDF, PNG, SNIFF_BYTES, WEBP, ZIP, sniffFileType, type FileType } from "../lib/image-type";
import type { Bindings, Principal } from "../env";
import { db } from "../db/client";
import { and, eq, isNull } from "drizzle-orm";
import { log } from "../lib/request-context";
import { contractAttachments, contractUploads } from "../db/schema/contracts";
import { closeUpload, findOpenUpload, recordPart, uploadedParts } from "../db/contracts-uploads";
import { attachmentView } from "../domain/contract-view";
import { MAX_PARTS, MIN_PART_BYTES, PART_RULES, checkIncomingPart, checkPartSet } from "../domain/upload-parts";
import type { AttachmentMeta } from "../domain/contract-machine";
import { contractRoom } from "../../durable-objects/contract-room";
import { unwrap } from "../../durable-objects/lib/rpc-result";
import { requireContractAccess } from "./contracts-guard";
import { attachmentSchema, contractIdParam } from "./contracts-schemas";

export const ATTACHMENT_TYPES: readonly FileType[] = [PDF, PNG, JPEG, WEBP, GIF, ZIP];
export const DIRECT_UPLOAD_MAX_BYTES = 25 * 1024 * 1024;
export { MAX_PARTS, MIN_PART_BYTES };

const attachmentKey = (contractId: string, attachmentId: string) => `contracts/${contractId}/attachments/${attachmentId}`;
const safeName = (name: string) => name.replace(/[\u0000-\u001f"\\/]/g, "_").slice(0, 200) || "file";

const write = { tags: ["Contracts"], middleware: [requireScope("contracts:write")], security: [{ bearer: [] }] };
const read = { tags: ["Contracts"], middleware: [requireScope("contracts:read")], security: [{ bearer: [] }] };

const attIdParam = contractIdParam.extend({
  attId: z.string().regex(/^att_[0-9A-Za-z]{20}$/, "expected an att_ id").openapi({ param: { name: "attId", in: "path" } }),
});
const uploadIdParam = contractIdParam.extend({
  uploadId: z.string().regex(/^att_[0-9A-Za-z]{20}$/, "expected an upload id").openapi({ param: { name: "uploadId", in: "path" } }),
});
const partParam = uploadIdParam.extend({
  partNumber: z.coerce.number().int().min(1).max(MAX_PARTS).openapi({ param: { name: "partNumber", in: "path" } }),
});

const uploadSchema = z
  .object({
    uploadId: z.string(),
    name: z.string(),
    minPartBytes: z.number().int(),
    parts: z.array(z.object({ partNumber: z.number().int(), etag: z.string(), size: z.number().int() })),
  })
  .openapi("AttachmentUpload");

const uploadRoute = createRoute({
  ...write,
  method: "post",
  path: "/contracts/{id}/attachments",
  summary: "Attach a file to a draft (multipart/form-data field `file`, ≤ 25 MiB; PDF, PNG, JPEG, WebP, GIF, ZIP)",
  request: { params: contractIdParam },
  responses: {
    201: jsonContent(envelope(attachmentSchema), "stored; sha256 recorded on the contract"),
    ...errorResponses("AUTH003", "AUTH004", "RES001", "RES002", "VAL003", "VAL004"),
  },
});
const downloadRoute = createRoute({
  ...read,
  method: "get",
  path: "/contracts/{id}/attachments/{attId}",
  summary: "Download an attachment (the original bytes, with their type)",
  request: { params: attIdParam },
  responses: {
    200: { description: "the file", content: { "application/octet-stream": { schema: z.string().openapi({ format: "binary" }) } } },
    ...errorResponses("AUTH004", "RES001"),
  },
});
const createUploadRoute = createRoute({
  ...write,
  method: "post",
  path: "/contracts/{id}/uploads",
  summary: "Start a resumable upload of a large attachment",
  description: `Then PUT the parts, in any order. ${PART_RULES}`,
  request: { params: contractIdParam, body: jsonBody(z.object({ name: z.string().trim().min(1).max(200) })) },
  responses: {
    201: jsonContent(envelope(uploadSchema), "upload started"),
    ...errorResponses("AUTH003", "AUTH004", "RES001", "RES002"),
  },
});
const getUploadRoute = createRoute({
  ...write,
  method: "get",
  path: "/contracts/{id}/uploads/{uploadId}",
  summary: "The parts already stored (resume from the first missing one)",
  request: { params: uploadIdParam },
  responses: { 200: jsonContent(envelope(uploadSchema), "upload state"), ...errorResponses("AUTH004", "RES001") },
});
const putPartRoute = createRoute({
  ...write,
  method: "put",
  path: "/contracts/{id}/uploads/{uploadId}/parts/{partNumber}",
  summary: "Upload one part (application/octet-stream): all but the last the same size, ≥ 5 MiB; the last no larger",
  description: `${PART_RULES} A part that would break these rules is refused when it arrives (VAL001 naming the part).`,
  request: { params: partParam },
  responses: {
    200: jsonContent(envelope(z.object({ partNumber: z.number().int(), etag: z.string(), size: z.number().int() })), "part stored"),
    ...errorResponses("AUTH004", "RES001", "RES002", "VAL003", "VAL004"),
  },
});
const completeUploadRoute = createRoute({
  ...write,
  method: "post",
  path: "/contracts/{id}/uploads/{uploadId}/complete",
  summary: "Assemble the parts into the attachment (type checked by magic bytes, SHA-256 computed)",
  request: { params: uploadIdParam },
  responses: {
    201: jsonContent(envelope(attachmentSchema), "attached"),
    ...errorResponses("AUTH003", "AUTH004", "RES001", "RES002", "VAL004"),
  },
});
const abortUploadRoute = createRoute({
  ...write,
  method: "delete",
  path: "/contracts/{id}/uploads/{uploadId}",
  summary: "Abandon a resumable upload",
  request: { params: uploadIdParam },
  responses: { 200: jsonContent(envelope(z.object({ uploadId: z.string(), aborted: z.literal(true) })), "aborted"), ...errorResponses("AUTH004", "RES001") },
});

function unsupported(): ApiError {
  return new ApiError("VAL004", `Unsupported file type; allowed: ${ATTACHMENT_TYPES.map((t) => t.ext).join(", ")}`);
}

/**
 * Decided before anything is written to R2: files attach to drafts only (RES002 otherwise). The room re-checks
 * when recording, so a contract sent in between still refuses (and the object is removed again).
 */
async function requireDraft(env: Bindings, contractId: string): Promise<void> {
  const state = await contractRoom(env, contractId).get();
  if (!state) throw fail.notFound("Contract");
  if (state.status !== "draft") {
    const details = { status: state.status };
    throw fail.conflict(`Only a draft can have files attached; this contract is ${state.status}`, details);
  }
}

/** Records the stored object on the contract; if the room refuses (not a draft), the object is removed again. */
async function attach(env: Bindings, principal: Pick<Principal, "userId">, contractId: string, meta: AttachmentMeta): Promise<AttachmentMeta> {
  const result = await contractRoom(env, contractId).addAttachment(principal.userId, meta);
  if (!result.ok) await env.DOCUMENTS.delete(attachmentKey(contractId, meta.id));
  unwrap(result);
  return meta;
}

/** The checks every whole-file attachment passes (size, type by magic bytes); throws VAL001/VAL003/VAL004. */
export function checkAttachment(bytes: Uint8Array): FileType {
  if (bytes.byteLength === 0) throw fail.invalid([{ path: "file", message: "the file is empty" }]);
  if (bytes.byteLength > DIRECT_UPLOAD_MAX_BYTES) {
    throw new ApiError("VAL003", `Files over ${DIRECT_UPLOAD_MAX_BYTES} bytes go through /uploads`, { details: { maxBytes: DIRECT_UPLOAD_MAX_BYTES } });
  }
  const sniffed = sniffFileType(bytes.subarray(0, SNIFF_BYTES), ATTACHMENT_TYPES);
  if (!sniffed) throw unsupported();
  return sniffed;
}

/** Checks a whole file, stores it in R2 and records it on the contract (direct uploads and inbound email). */
export async function storeAttachment(
  env: Bindings,
  actorId: string,
  contractId: string,
  file: { name: string; bytes: Uint8Array },
): Promise<AttachmentMeta> {
  const { bytes } = file;
  const sniffed = checkAttachment(bytes);
  await requireDraft(env, contractId);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  const sha256 = [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
  const attId = newId("att");
  const name = safeName(file.name || `attachment.${sniffed.ext}`);
  await env.DOCUMENTS.put(attachmentKey(contractId, attId), bytes, {
    httpMetadata: { contentType: sniffed.mime },
    customMetadata: { name, sha256 },
    sha256,
  });
  return attach(env, { userId: actorId }, contractId, {
    id: attId,
    name,
    contentType: sniffed.mime,
    size: bytes.byteLength,
    sha256,
    uploadedBy: actorId,
    createdAt: new Date().toISOString(),
  });
}

/**
 * Removes a deleted draft's files (attachments and unfinished uploads). Best effort after the deletion committed:
 * a leftover object is unreachable anyway (downloads need the contract's attachment record), so a failure is
 * logged rather than undoing the deletion.
 */
export async function purgeContractFiles(env: Bindings, contractId: string): Promise<void> {
  try {
    const database = db(env.DB);
    const open = await database.select().from(contractUploads).where(and(eq(contractUploads.contractId, contractId), isNull(contractUploads.completedAt))).all();
    for (const upload of open) {
      await env.DOCUMENTS.resumeMultipartUpload(upload.r2Key, upload.r2UploadId).abort();
      await closeUpload(database, upload.id, new Date().toISOString());
    }
    let cursor: string | undefined;
    do {
      const page = await env.DOCUMENTS.list({ prefix: `contracts/${contractId}/`, cursor });
      if (page.objects.length) await env.DOCUMENTS.delete(page.objects.map((o) => o.key));
      cursor = page.truncated ? page.cursor : undefined;
    } while (cursor);
  } catch (err) {
    log("warn", "could not purge a deleted contract's files", { contractId, error: err instanceof Error ? err.message : String(err) });
  }
}

async function sha256Hex(stream: ReadableStream<Uint8Array>): Promise<string> {
  const digest = new crypto.DigestStream("SHA-256");
  await stream.pipeTo(digest);
  return [...new Uint8Array(await digest.digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export const contractAttachmentRoutes = createRouter()
  .openapi(uploadRoute, async (c) => {
    const principal = principalOf(c);
    const { id } = c.req.valid("param");
    await requireContractAccess(c.env, principal, id, "edit");
    const type = (c.req.header("content-type") ?? "").toLowerCase();
    if (!type.startsWith("multipart/form-data")) throw new ApiError("VAL004", "Send the file as multipart/form-data field `file`");
    const declared = Number(c.req.header("content-length") ?? "0");
    if (declared > DIRECT_UPLOAD_MAX_BYTES + 64 * 1024) {
      throw new ApiError("VAL003", `Files over ${DIRECT_UPLOAD_MAX_BYTES} bytes go through /uploads`, { details: { maxBytes: DIRECT_UPLOAD_MAX_BYTES } });
    }
    const form = await c.req.formData();
    const file = form.get("file");
    if (!(file instanceof File)) throw fail.invalid([{ path: "file", message: "a file field named `file` is required" }]);
    if (file.size === 0) throw fail.invalid([{ path: "file", message: "the file is empty" }]);
    if (file.size > DIRECT_UPLOAD_MAX_BYTES) {
      throw new ApiError("VAL003", `Files over ${DIRECT_UPLOAD_MAX_BYTES} bytes go through /uploads`, { details: { maxBytes: DIRECT_UPLOAD_MAX_BYTES } });
    }
    const meta = await storeAttachment(c.env, principal.userId, id, { name: file.name, bytes: new Uint8Array(await file.arrayBuffer()) });
    return ok(c, attachmentView(meta), 201);
  })
  .openapi(downloadRoute, async (c) => {
    const { id, attId } = c.req.valid("param");
    await requireContractAccess(c.env, principalOf(c), id, "view");
    // The contract's record (not the object's metadata) says what the file is: only recorded attachments download.
    const meta = await db(c.env.DB)
      .select()
      .from(contractAttachments)
      .where(and(eq(contractAttachments.id, attId), eq(contractAttachments.contractId, id)))
      .get();
    const object = meta ? await c.env.DOCUMENTS.get(attachmentKey(id, attId)) : null;
    if (!meta || !object) throw fail.notFound("Attachment");
    return new Response(object.body, {
      status: 200,
      headers: {
        "content-type": meta.contentType,
        "content-length": String(object.size),
        "content-disposition": contentDisposition("attachment", meta.name),
        "x-content-sha256": meta.sha256,
        etag: object.httpEtag,
      },
    }) as never;
  })
  .openapi(createUploadRoute, async (c) => {
    const principal = principalOf(c);
    const { id } = c.req.valid("param");
    const { name } = c.req.valid("json");
    await requireContractAccess(c.env, principal, id, "edit");
    await requireDraft(c.env, id);
    const uploadId = newId("att");
    const key = attachmentKey(id, uploadId);
    const upload = await c.env.DOCUMENTS.createMultipartUpload(key);
    await db(c.env.DB).insert(contractUploads).values({
      id: uploadId,
      contractId: id,
      r2Key: key,
      r2UploadId: upload.uploadId,
      name: safeName(name),
      contentType: "application/octet-stream",
      createdBy: principal.userId,
      createdAt: new Date().toISOString(),
    });
    return ok(c, { uploadId, name: safeName(name), minPartBytes: MIN_PART_BYTES, parts: [] }, 201);
  })
  .openapi(getUploadRoute, async (c) => {
    const { id, uploadId } = c.req.valid("param");
    await requireContractAccess(c.env, principalOf(c), id, "edit");
    const database = db(c.env.DB);
    const upload = await findOpenUpload(database, id, uploadId);
    if (!upload) throw fail.notFound("Upload");
    return ok(c, { uploadId, name: upload.name, minPartBytes: MIN_PART_BYTES, parts: await uploadedParts(database, uploadId) }, 200);
  })
  .openapi(putPartRoute, async (c) => {
    const { id, uploadId, partNumber } = c.req.valid("param");
    await requireContractAccess(c.env, principalOf(c), id, "edit");
    const database = db(c.env.DB);
    const upload = await findOpenUpload(database, id, uploadId);
    if (!upload) throw fail.notFound("Upload");
    const type = (c.req.header("content-type") ?? "").toLowerCase();
    if (!type.startsWith("application/octet-stream")) throw new ApiError("VAL004", "Send each part as application/octet-stream");
    const body = new Uint8Array(await c.req.arrayBuffer());
    if (body.byteLength === 0) throw fail.invalid([{ path: "body", message: "empty part" }]);
    // R2 would accept this part now and refuse the whole upload at complete: decide here, naming the part.
    const problem = checkIncomingPart(await uploadedParts(database, uploadId), { partNumber, size: body.byteLength });
    if (problem) {
      const detail = { path: "partNumber", message: problem.message, partNumber: problem.partNumber };
      throw fail.invalid([detail], problem.message);
    }
    await requireDraft(c.env, id);
    const part = await c.env.DOCUMENTS.resumeMultipartUpload(upload.r2Key, upload.r2UploadId).uploadPart(partNumber, body);
    const stored = { partNumber, etag: part.etag, size: body.byteLength };
    await recordPart(database, uploadId, stored);
    return ok(c, stored, 200);
  })
  .openapi(completeUploadRoute, async (c) => {
    const principal = principalOf(c);
    const { id, uploadId } = c.req.valid("param");
    await requireContractAccess(c.env, principal, id, "edit");
    const database = db(c.env.DB);
    const upload = await findOpenUpload(database, id, uploadId);
    if (!upload) throw fail.notFound("Upload");
    const parts = await uploadedParts(database, uploadId);
    const gap = parts.findIndex((p, i) => p.partNumber !== i + 1);
    if (parts.length === 0 || gap !== -1) {
      throw fail.conflict("Parts are missing; upload them before completing", { missingPart: gap === -1 ? 1 : gap + 1 });
    }
    // Parts are checked as they arrive; this catches uploads whose parts were stored before those checks existed.
    const problem = checkPartSet(parts);
    if (problem) throw fail.conflict(problem.message, { partNumber: problem.partNumber });
    await requireDraft(c.env, id);
    await c.env.DOCUMENTS.resumeMultipartUpload(upload.r2Key, upload.r2UploadId).complete(parts.map((p) => ({ partNumber: p.partNumber, etag: p.etag })));
    await closeUpload(database, uploadId, new Date().toISOString());

    const head = await c.env.DOCUMENTS.get(upload.r2Key, { range: { offset: 0, length: SNIFF_BYTES } });
    const sniffed = head ? sniffFileType(new Uint8Array(await head.arrayBuffer()), ATTACHMENT_TYPES) : null;
    if (!sniffed) {
      await c.env.DOCUMENTS.delete(upload.r2Key);
      throw unsupported();
    }
    const whole = await c.env.DOCUMENTS.get(upload.r2Key);
    if (!whole) throw fail.notFound("Upload");
    const sha256 = await sha256Hex(whole.body);
    const meta = await attach(c.env, principal, id, {
      id: uploadId,
      name: upload.name,
      contentType: sniffed.mime,
      size: whole.size,
      sha256,
      uploadedBy: principal.userId,
      createdAt: new Date().toISOString(),
    });
    return ok(c, attachmentView(meta), 201);
  })
  .openapi(abortUploadRoute, async (c) => {
    const { id, uploadId } = c.req.valid("param");
    await requireContractAccess(c.env, principalOf(c), id, "edit");
    const database = db(c.env.DB);
    const upload = await findOpenUpload(database, id, uploadId);
    if (!upload) throw fail.notFound("Upload");
    await c.env.DOCUMENTS.resumeMultipartUpload(upload.r2Key, upload.r2UploadId).abort();
    await closeUpload(database, uploadId, new Date().toISOString());
    return ok(c, { uploadId, aborted: true as const }, 200);
  });
