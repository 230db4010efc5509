// POST /verify (public, rate limited): is this hash — or the SHA-256 of this uploaded file — one we anchored, which
// contracts it belongs to, and does the chain itself prove it right now.
import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "../lib/router";
import { envelope, errorResponses, jsonContent } from "../lib/openapi";
import { ok } from "../lib/respond";
import { fail } from "../lib/errors";
import { rateLimit } from "../lib/rate-limit";
import { checkOnChain, headBlocks, withLiveConfirmations } from "../lib/anchor-verify";
import { db } from "../db/client";
import { contractStatuses } from "../db/contracts";
import { recordsByHash } from "../db/anchors";
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
      verified: z.boolean().openapi({ description: "some record's transaction is on chain with enough confirmations, input = root, proof valid" }),
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
  tags: ["Anchoring"],
  middleware: [publicRoute(), rateLimit({ name: "verify", limit: VERIFY_LIMIT_PER_MINUTE, windowSeconds: 60 })] as const,
  method: "post",
  path: "/verify",
  summary: "Verify a document or hash against the anchors (public)",
  description:
    "Send `{ hash }` (SHA-256, hex) as JSON, or the file itself as multipart `file` (its SHA-256 is used). " +
    "`onChain.verified` is checked live against the chain, not read from our records.",
  request: {
    body: {
      content: { "application/json": { schema: jsonBodySchema }, "multipart/form-data": { schema: formBodySchema } },
    },
  },
  responses: {
    200: jsonContent(envelope(verifyResultSchema), "what we know of the hash"),
    ...errorResponses("VAL003", "VAL004"),
  },
});

const fileHash = async (file: File): Promise<Hex32> => `0x${await digestSha256Hex(await file.arrayBuffer())}`;

export const verifyRoutes = createRouter().openapi(verifyRoute, async (c) => {
  const body = c.req.valid("json") as Partial<z.infer<typeof jsonBodySchema>>;
  const form = c.req.valid("form") as Partial<z.infer<typeof formBodySchema>>;
  let hash: Hex32;
  if (body.hash) hash = toHex32(body.hash);
  else if (form.file) hash = await fileHash(form.file);
  else throw fail.invalid([{ path: "hash", message: "send { hash } as JSON or a multipart `file`" }]);

  const records = await recordsByHash(c.env.DB, hash);
  const contractIds = [...new Set(records.map((r) => r.contractId))];
  const statuses = await contractStatuses(db(c.env.DB), contractIds);
  const statusOf = new Map(statuses.map((s) => [s.id, s.status]));
  const heads = await headBlocks(c.env, records);
  const onChain = await checkOnChain(c.env, records, heads);

  return ok(
    c,
    {
      hash,
      known: records.length > 0,
      contracts: contractIds.map((id) => ({ id, status: statusOf.get(id) ?? null })),
      records: withLiveConfirmations(c.env, records, heads).map(anchorRecordView),
      onChain,
    },
    200,
  );
});
