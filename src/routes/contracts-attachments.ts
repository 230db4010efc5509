// Contract attachments in R2: direct multipart/form-data upload (≤ 25 MiB) and resumable R2 multipart uploads for
// large files (create → parts → complete; GET lists the parts already stored). The type is decided by the file's
// magic bytes against an allow-list, never by what the client declares; the SHA-256 is recorded on the contract.
import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "../lib/router";
import { answers, answersRaw, bearerRoute, envelope, fileContent, jsonBody } from "../lib/openapi";
import { ok } from "../lib/respond";
import { contentDisposition } from "../lib/content-disposition";
import { ApiError, fail } from "../lib/errors";
import { principalOf, requireScope } from "../lib/auth";
import { DIRECT_UPLOAD_MAX_BYTES, attachmentKey, tooLargeForDirectUpload } from "../lib/attachments";
import { db } from "../db/client";
import { findAttachment, openUploadWithParts } from "../db/contracts-uploads";
import { attachmentView } from "../domain/contract-view";
import { MAX_PARTS, MIN_PART_BYTES, PART_RULES } from "../domain/upload-parts";
import { storeAttachment } from "../services/contracts/store-attachment";
import { startUpload } from "../services/contracts/start-upload";
import { uploadPart } from "../services/contracts/upload-part";
import { completeUpload } from "../services/contracts/complete-upload";
import { abortUpload } from "../services/contracts/abort-upload";
import { requireContractAccess } from "../lib/contract-guard";
import { attachmentSchema, contractIdParam } from "../schemas/contracts";

const write = bearerRoute("Contracts", requireScope("contracts:write"));
const read = bearerRoute("Contracts", requireScope("contracts:read"));

const attIdParam = contractIdParam.extend({
  attId: z
    .string()
    .regex(/^att_[0-9A-Za-z]{20}$/, "expected an att_ id")
    .openapi({ param: { name: "attId", in: "path" } }),
});
const uploadIdParam = contractIdParam.extend({
  uploadId: z
    .string()
    .regex(/^att_[0-9A-Za-z]{20}$/, "expected an upload id")
    .openapi({ param: { name: "uploadId", in: "path" } }),
});
const partParam = uploadIdParam.extend({
  partNumber: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_PARTS)
    .openapi({ param: { name: "partNumber", in: "path" } }),
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
  responses: answers(
    201,
    envelope(attachmentSchema),
    "stored; sha256 recorded on the contract",
    "AUTH003",
    "AUTH004",
    "RES001",
    "RES002",
    "VAL003",
    "VAL004",
  ),
});
const downloadRoute = createRoute({
  ...read,
  method: "get",
  path: "/contracts/{id}/attachments/{attId}",
  summary: "Download an attachment (the original bytes, with their type)",
  request: { params: attIdParam },
  responses: answersRaw(200, fileContent("the file", "application/octet-stream"), "AUTH004", "RES001"),
});
const createUploadRoute = createRoute({
  ...write,
  method: "post",
  path: "/contracts/{id}/uploads",
  summary: "Start a resumable upload of a large attachment",
  description: `Then PUT the parts, in any order. ${PART_RULES}`,
  request: { params: contractIdParam, body: jsonBody(z.object({ name: z.string().trim().min(1).max(200) })) },
  responses: answers(201, envelope(uploadSchema), "upload started", "AUTH003", "AUTH004", "RES001", "RES002"),
});
const getUploadRoute = createRoute({
  ...write,
  method: "get",
  path: "/contracts/{id}/uploads/{uploadId}",
  summary: "The parts already stored (resume from the first missing one)",
  request: { params: uploadIdParam },
  responses: answers(200, envelope(uploadSchema), "upload state", "AUTH004", "RES001"),
});
const putPartRoute = createRoute({
  ...write,
  method: "put",
  path: "/contracts/{id}/uploads/{uploadId}/parts/{partNumber}",
  summary: "Upload one part (application/octet-stream): all but the last the same size, ≥ 5 MiB; the last no larger",
  description: `${PART_RULES} A part that would break these rules is refused when it arrives (VAL001 naming the part).`,
  request: { params: partParam },
  responses: answers(
    200,
    envelope(z.object({ partNumber: z.number().int(), etag: z.string(), size: z.number().int() })),
    "part stored",
    "AUTH004",
    "RES001",
    "RES002",
    "VAL003",
    "VAL004",
  ),
});
const completeUploadRoute = createRoute({
  ...write,
  method: "post",
  path: "/contracts/{id}/uploads/{uploadId}/complete",
  summary: "Assemble the parts into the attachment (type checked by magic bytes, SHA-256 computed)",
  request: { params: uploadIdParam },
  responses: answers(201, envelope(attachmentSchema), "attached", "AUTH003", "AUTH004", "RES001", "RES002", "VAL004"),
});
const abortUploadRoute = createRoute({
  ...write,
  method: "delete",
  path: "/contracts/{id}/uploads/{uploadId}",
  summary: "Abandon a resumable upload",
  request: { params: uploadIdParam },
  responses: answers(
    200,
    envelope(z.object({ uploadId: z.string(), aborted: z.literal(true) })),
    "aborted",
    "AUTH004",
    "RES001",
  ),
});

export const contractAttachmentRoutes = createRouter()
  .openapi(uploadRoute, async (c) => {
    const principal = principalOf(c);
    const { id } = c.req.valid("param");
    await requireContractAccess(c.env, principal, id, "edit");
    const type = (c.req.header("content-type") ?? "").toLowerCase();
    if (!type.startsWith("multipart/form-data"))
      throw new ApiError("VAL004", "Send the file as multipart/form-data field `file`");
    const declared = Number(c.req.header("content-length") ?? "0");
    if (declared > DIRECT_UPLOAD_MAX_BYTES + 64 * 1024) throw tooLargeForDirectUpload();
    const form = await c.req.formData();
    const file = form.get("file");
    if (!(file instanceof File))
      throw fail.invalid([{ path: "file", message: "a file field named `file` is required" }]);
    if (file.size === 0) throw fail.invalid([{ path: "file", message: "the file is empty" }]);
    if (file.size > DIRECT_UPLOAD_MAX_BYTES) throw tooLargeForDirectUpload();
    const meta = await storeAttachment(c.env, principal.userId, id, {
      name: file.name,
      bytes: new Uint8Array(await file.arrayBuffer()),
    });
    return ok(c, attachmentView(meta), 201);
  })
  .openapi(downloadRoute, async (c) => {
    const { id, attId } = c.req.valid("param");
    await requireContractAccess(c.env, principalOf(c), id, "view");
    // The contract's record (not the object's metadata) says what the file is: only recorded attachments download.
    const meta = await findAttachment(db(c.env.DB), id, attId);
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
    return ok(c, await startUpload(c.env, principal.userId, id, name), 201);
  })
  .openapi(getUploadRoute, async (c) => {
    const { id, uploadId } = c.req.valid("param");
    await requireContractAccess(c.env, principalOf(c), id, "edit");
    const open = await openUploadWithParts(db(c.env.DB), id, uploadId);
    if (!open) throw fail.notFound("Upload");
    return ok(c, { uploadId, name: open.upload.name, minPartBytes: MIN_PART_BYTES, parts: open.parts }, 200);
  })
  .openapi(putPartRoute, async (c) => {
    const { id, uploadId, partNumber } = c.req.valid("param");
    await requireContractAccess(c.env, principalOf(c), id, "edit");
    const part = { contentType: c.req.header("content-type") ?? "", read: () => c.req.arrayBuffer() };
    return ok(c, await uploadPart(c.env, id, uploadId, partNumber, part), 200);
  })
  .openapi(completeUploadRoute, async (c) => {
    const principal = principalOf(c);
    const { id, uploadId } = c.req.valid("param");
    await requireContractAccess(c.env, principal, id, "edit");
    return ok(c, attachmentView(await completeUpload(c.env, principal.userId, id, uploadId)), 201);
  })
  .openapi(abortUploadRoute, async (c) => {
    const { id, uploadId } = c.req.valid("param");
    await requireContractAccess(c.env, principalOf(c), id, "edit");
    return ok(c, await abortUpload(c.env, id, uploadId), 200);
  });
