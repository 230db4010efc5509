// POST /verify (public, rate limited): is this hash — or the SHA-256 of this uploaded file — one we anchored, which
// contracts it belongs to, and does the chain itself prove it right now.
import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "../lib/router";
import { answers, envelope, openRoute } from "../lib/openapi";
import { ok } from "../lib/respond";
import { fail } from "../lib/errors";
import { rateLimit } from "../lib/rate-limit";
import { verifyHash } from "../services/anchoring/verify-hash";
import { toHex32, type Hex32 } from "../domain/merkle";
import { digestSha256Hex } from "../lib/crypto";
import { anchorRecordSchema, anchorRecordView } from "../schemas/anchors";
import { publicRoute } from "../lib/auth";

/** Per caller (user, else IP) per minute: every request may cost several RPC round trips. */
export const VERIFY_LIMIT_PER_MINUTE = 30;

const hashInput = z
  .string()
  .trim()
  .regex(/^(0x)?[0-9a-fA-F]{64}$/, "expected a SHA-256 as 64 hex characters")
  .openapi({ example: `0x${"ab".repeat(32)}` });

const jsonBodySchema = z.object({ hash: hashInput }).openapi("VerifyByHash");
const formBodySchema = z
  .object({ file: z.instanceof(File).openapi({ type: "string", format: "binary" }) })
  .openapi("VerifyByFile");

const verifyResultSchema = z
  .object({
    hash: z.string().openapi({ description: "the hash looked up, 0x-prefixed lowercase hex" }),
    known: z.boolean(),
    contracts: z.array(z.object({ id: z.string(), status: z.string().nullable() })),
    records: z.array(anchorRecordSchema),
    onChain: z.object({
      verified: z.boolean().openapi({
        description: "some record's transaction is on chain with enough confirmations, input = root, proof valid",
      }),
      checkedAt: z.string(),
      checks: z.array(
        z.object({
          recordId: z.string(),
          network: z.object({ name: z.string(), chainId: z.number().int() }),
          txHash: z.string(),
          verified: z.boolean(),
          confirmations: z.number().int(),
          required: z.number().int(),
          reason: z.string().optional(),
        }),
      ),
    }),
  })
  .openapi("VerifyResult");

const verifyRoute = createRoute({
  ...openRoute(
    "Anchoring",
    publicRoute(),
    rateLimit({ name: "verify", limit: VERIFY_LIMIT_PER_MINUTE, windowSeconds: 60 }),
  ),
  method: "post",
  path: "/verify",
  summary: "Verify a document or hash against the anchors (public)",
  description:
    "Send `{ hash }` (SHA-256, hex) as JSON, or the file itself as multipart `file` (its SHA-256 is used). " +
    "The frozen PDF as sent is found as a `document` record of that hash; the executed PDF (with the signature " +
    "blocks, as served by GET /contracts/{id}/executed-document) is found as the `execution` record whose " +
    "`executedDocumentHash` is that hash — its `hash` is the execution hash that record anchors, and its proof " +
    "leads to the root. `onChain.verified` is checked live against the chain, not read from our records.",
  request: {
    body: {
      content: { "application/json": { schema: jsonBodySchema }, "multipart/form-data": { schema: formBodySchema } },
    },
  },
  responses: answers(200, envelope(verifyResultSchema), "what we know of the hash", "VAL003", "VAL004"),
});

const verifyLimit = () => rateLimit({ name: "verify", limit: VERIFY_LIMIT_PER_MINUTE, windowSeconds: 60 });

const verifyByLinkRoute = createRoute({
  ...openRoute("Anchoring", publicRoute(), verifyLimit()),
  method: "get",
  path: "/verify",
  summary: "Verify a hash against the anchors by link (public; the certificate's QR code opens it)",
  description:
    "The same answer as POST /verify with `{ hash }`, for a link or a scanned QR code: `?hash=` (SHA-256, hex). " +
    "Shares POST /verify's rate limit.",
  request: { query: z.object({ hash: hashInput }) },
  responses: answers(200, envelope(verifyResultSchema), "what we know of the hash", "VAL001"),
});

const fileHash = async (file: File): Promise<Hex32> => `0x${await digestSha256Hex(await file.arrayBuffer())}`;

const view = (v: Awaited<ReturnType<typeof verifyHash>>) => ({ ...v, records: v.records.map(anchorRecordView) });

export const verifyRoutes = createRouter()
  .openapi(verifyRoute, async (c) => {
    const body = c.req.valid("json") as Partial<z.infer<typeof jsonBodySchema>>;
    const form = c.req.valid("form") as Partial<z.infer<typeof formBodySchema>>;
    let hash: Hex32;
    if (body.hash) hash = toHex32(body.hash);
    else if (form.file) hash = await fileHash(form.file);
    else throw fail.invalid([{ path: "hash", message: "send { hash } as JSON or a multipart `file`" }]);
    return ok(c, view(await verifyHash(c.env, hash)), 200);
  })
  .openapi(verifyByLinkRoute, async (c) => {
    const { hash } = c.req.valid("query");
    return ok(c, view(await verifyHash(c.env, toHex32(hash))), 200);
  });
