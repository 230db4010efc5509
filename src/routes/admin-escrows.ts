// Admin resolution of disputed escrows: release (seller is paid) or refund (buyer is refunded by the provider).
import { createRoute } from "@hono/zod-openapi";
import { createRouter } from "../lib/router";
import { envelope, errorResponses, jsonBody, jsonContent } from "../lib/openapi";
import { ok } from "../lib/respond";
import { requireRole, requireScope, principalOf } from "../lib/auth";
import { recordAudit } from "../lib/audit";
import { escrowView } from "../domain/escrow-view";
import { escrowRoom } from "../../durable-objects/escrow-room";
import { unwrap } from "../../durable-objects/lib/rpc-result";
import { escrowIdParam, escrowSchema, optionalReasonBody } from "./escrows-schemas";

const admin = {
  tags: ["Escrow", "Admin"],
  middleware: [requireScope("admin:write"), requireRole("admin", "super_admin")],
  security: [{ bearer: [] }],
};

const releaseRoute = createRoute({
  ...admin,
  method: "post",
  path: "/admin/escrows/{id}/release",
  summary: "Resolve a dispute for the seller: complete the escrow and queue the payout",
  request: { params: escrowIdParam, body: jsonBody(optionalReasonBody) },
  responses: { 200: jsonContent(envelope(escrowSchema), "completed"), ...errorResponses("AUTH003", "AUTH004", "RES001", "RES002") },
});

const refundRoute = createRoute({
  ...admin,
  method: "post",
  path: "/admin/escrows/{id}/refund",
  summary: "Refund the buyer (a disputed or funded escrow); the provider refund is queued",
  request: { params: escrowIdParam, body: jsonBody(optionalReasonBody) },
  responses: { 200: jsonContent(envelope(escrowSchema), "refunded"), ...errorResponses("AUTH003", "AUTH004", "RES001", "RES002") },
});

export const adminEscrowRoutes = createRouter()
  .openapi(releaseRoute, async (c) => {
    const principal = principalOf(c);
    const { id } = c.req.valid("param");
    const { reason } = c.req.valid("json");
    const state = unwrap(await escrowRoom(c.env, id).release({ userId: principal.userId, isAdmin: true }));
    await recordAudit(c.env, { action: "escrow.release", actorId: principal.userId, resourceType: "escrow", resourceId: id, data: { reason: reason ?? null } });
    return ok(c, escrowView(state), 200);
  })
  .openapi(refundRoute, async (c) => {
    const principal = principalOf(c);
    const { id } = c.req.valid("param");
    const { reason } = c.req.valid("json");
    const state = unwrap(await escrowRoom(c.env, id).refund({ userId: principal.userId, isAdmin: true }, reason ?? null));
    await recordAudit(c.env, { action: "escrow.refund", actorId: principal.userId, resourceType: "escrow", resourceId: id, data: { reason: reason ?? null } });
    return ok(c, escrowView(state), 200);
  });
