// /users/me data lifecycle (issue 15): the asynchronous personal-data export (request, status, download within 24 h)
// for accounts too large for GET /users/me/export, and the caller's consent records (given and withdrawn).
import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "../lib/router";
import { answers, answersRaw, bearerRoute, envelope, isoDate, listEnvelope } from "../lib/openapi";
import { ok } from "../lib/respond";
import { principalOf, requireScope, requireSession } from "../lib/auth";
import { requestOrigin } from "../lib/audit";
import { contentDisposition } from "../lib/content-disposition";
import { paginated, pageQuery, pageWindow } from "../lib/pagination";
import { db } from "../db/client";
import { consentsOf, consentView } from "../db/consents";
import type { DataExportRow } from "../db/data-exports";
import { CONSENT_ACTIONS, CONSENT_KINDS } from "../domain/consent";
import { DATA_EXPORT_STATUSES, DATA_EXPORT_TTL_HOURS } from "../domain/data-export";
import { requestDataExport } from "../services/users/request-data-export";
import { openDataExportFile, readDataExport } from "../services/users/read-data-export";
import { dataExportFileName } from "../services/users/write-data-export";

const exportSchema = z
  .object({
    id: z.string().openapi({ example: "dex_3Jd8Kq0aZxY7bC1mN2pQ" }),
    status: z.enum(DATA_EXPORT_STATUSES).openapi({
      description: "queued → running → ready (downloadable until expiresAt) → expired; or failed",
    }),
    size: z.number().int().nullable().openapi({ description: "bytes of the JSON file, once ready" }),
    error: z.string().nullable(),
    createdAt: isoDate,
    completedAt: isoDate.nullable(),
    expiresAt: isoDate.openapi({
      description: `${DATA_EXPORT_TTL_HOURS} h after it is ready (before: after the request)`,
    }),
    downloadUrl: z.string().nullable().openapi({ description: "while ready: GET it with your session" }),
  })
  .openapi("DataExport");

const exportIdParam = z.object({
  id: z
    .string()
    .regex(/^dex_[0-9A-Za-z]{20}$/, "expected a dex_ id")
    .openapi({ param: { name: "id", in: "path" } }),
});

const consentSchema = z
  .object({
    id: z.string(),
    kind: z.enum(CONSENT_KINDS).openapi({
      description:
        "esign: consent to electronic signature at signing; " +
        "notifications: a channel turned on (given) or off (withdrawn)",
    }),
    action: z.enum(CONSENT_ACTIONS),
    contractId: z.string().nullable(),
    eventType: z.string().nullable(),
    channel: z.string().nullable(),
    textVersion: z.string().openapi({ description: "the wording agreed to", example: "esign-eidas-2026-11-30" }),
    text: z.string().nullable().openapi({ description: "that wording, quoted" }),
    ip: z.string().nullable(),
    userAgent: z.string().nullable(),
    createdAt: isoDate,
  })
  .openapi("ConsentRecord");

const requestExportRoute = createRoute({
  ...bearerRoute("Users", requireSession()),
  method: "post",
  path: "/users/me/exports",
  summary: "Export everything Escra holds about the caller, in the background (large accounts)",
  description:
    "Answers 202 with the export's record. A queue job writes the same JSON document as GET /users/me/export's " +
    "`data`, without its 1,000-rows-per-section cap (files as links to authenticated routes), into storage; when " +
    `ready the caller gets an email with the link and \`export.ready\` on the live feed. The file can be downloaded ` +
    `for ${DATA_EXPORT_TTL_HOURS} hours, then it is deleted. One export at a time: another one pending is RES002.`,
  responses: answers(202, envelope(exportSchema), "queued", "AUTH003", "AUTH004", "RES002"),
});

const getExportRoute = createRoute({
  ...bearerRoute("Users", requireSession()),
  method: "get",
  path: "/users/me/exports/{id}",
  summary: "An export's status and expiry",
  request: { params: exportIdParam },
  responses: answers(200, envelope(exportSchema), "the export", "AUTH003", "AUTH004", "RES001"),
});

const downloadExportRoute = createRoute({
  ...bearerRoute("Users", requireSession()),
  method: "get",
  path: "/users/me/exports/{id}/download",
  summary: "Download a ready export (JSON)",
  description:
    "409 RES002 with `details.reason`: `export_pending` (not written yet), `export_failed`, or `export_expired` " +
    `(more than ${DATA_EXPORT_TTL_HOURS} h after it was ready: ask for a new export).`,
  request: { params: exportIdParam },
  responses: answersRaw(
    200,
    { description: "the export", content: { "application/json": { schema: z.string() } } },
    "AUTH003",
    "AUTH004",
    "RES001",
    "RES002",
  ),
});

const listConsentsRoute = createRoute({
  ...bearerRoute("Users", requireScope("profile:read")),
  method: "get",
  path: "/users/me/consents",
  summary: "The caller's consent records, newest first (append-only: given and withdrawn)",
  description:
    "The consent to electronic signature given at each signing (contract, time, wording version, IP, user agent) " +
    "and every notification channel turned on or off. Records are never edited; a withdrawal is a new record.",
  request: { query: pageQuery },
  responses: answers(200, listEnvelope(consentSchema), "a page of consent records", "AUTH003", "AUTH004"),
});

const view = (r: DataExportRow) => ({
  id: r.id,
  status: r.status,
  size: r.size,
  error: r.error,
  createdAt: r.createdAt,
  completedAt: r.completedAt,
  expiresAt: r.expiresAt,
  downloadUrl: r.status === "ready" ? `/api/v1/users/me/exports/${r.id}/download` : null,
});

export const userLifecycleRoutes = createRouter()
  .openapi(requestExportRoute, async (c) =>
    ok(c, view(await requestDataExport(c.env, principalOf(c), requestOrigin(c))), 202),
  )
  .openapi(getExportRoute, async (c) =>
    ok(c, view(await readDataExport(c.env, principalOf(c), c.req.valid("param").id)), 200),
  )
  .openapi(downloadExportRoute, async (c) => {
    const { row, object } = await openDataExportFile(c.env, principalOf(c), c.req.valid("param").id);
    // A raw file: the envelope does not apply to downloads (API.md "Conventions").
    return new Response(object.body, {
      status: 200,
      headers: {
        "content-type": "application/json",
        "content-length": String(object.size),
        "content-disposition": contentDisposition("attachment", dataExportFileName(row)),
        "cache-control": "private, no-store",
      },
    }) as never;
  })
  .openapi(listConsentsRoute, async (c) => {
    const query = c.req.valid("query");
    const { items, total } = await consentsOf(db(c.env.DB), principalOf(c).userId, pageWindow(query));
    return paginated(c, items.map(consentView), query, total);
  });
