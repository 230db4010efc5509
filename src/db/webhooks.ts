// Reads and writes of partner webhook endpoints, deliveries and attempts; sealing and opening endpoint secrets.
import { and, count, desc, eq, inArray, isNull, or, sql } from "drizzle-orm";
import type { Bindings } from "../env";
import type { Database } from "./client";
import { selectInChunks } from "./chunks";
import { users, webhookAttempts, webhookDeliveries, webhookEndpoints } from "./schema";
import { deriveKey, openText, seal } from "../lib/crypto";
import { newId } from "../lib/ids";
import { generateWebhookSecret } from "../domain/webhook-signature";
import { auditLogs } from "./schema/audit";
import { batch, belowCap, changes, insertWhere, rowExists } from "./guarded-writes";
import { ADMIN_ROLES } from "../domain/scopes";
import type { z } from "@hono/zod-openapi";
import { deliverySchema, endpointSchema } from "../schemas/webhooks";
import { viewPicker } from "../lib/view";

export type WebhookEndpointRow = typeof webhookEndpoints.$inferSelect;
export type WebhookDeliveryRow = typeof webhookDeliveries.$inferSelect;
export type WebhookAttemptRow = typeof webhookAttempts.$inferSelect;

/** The old secret keeps signing this long after a rotation, so partners can switch without missing a delivery. */
export const ROTATION_OVERLAP_MS = 24 * 60 * 60 * 1000;

const secretKey = (env: Pick<Bindings, "VAULT_KEK">) => deriveKey(env.VAULT_KEK, "webhook-secret");

export function sealSecret(env: Pick<Bindings, "VAULT_KEK">, endpointId: string, secret: string): string {
  return seal(secretKey(env), secret, endpointId);
}

/** The secrets that sign now: the current one, then the previous one while its overlap lasts. */
export function signingSecrets(env: Pick<Bindings, "VAULT_KEK">, row: WebhookEndpointRow, now = new Date()): string[] {
  const key = secretKey(env);
  const secrets = [openText(key, row.secretSealed, row.id)];
  if (row.previousSecretSealed && row.previousSecretExpiresAt && row.previousSecretExpiresAt > now.toISOString()) {
    secrets.push(openText(key, row.previousSecretSealed, row.id));
  }
  return secrets;
}

/** The public view: never the secret. */
const endpointFields = viewPicker(endpointSchema);

/** API.md's webhook endpoint (schemas/webhooks.ts endpointSchema): never a secret. */
export function endpointView(row: WebhookEndpointRow): z.infer<typeof endpointSchema> {
  return endpointFields({ ...row, events: JSON.parse(row.events) as string[] });
}

export function newEndpointRow(
  env: Pick<Bindings, "VAULT_KEK">,
  input: { userId: string; url: string; events: string[]; description?: string | null },
  now: string,
): { row: WebhookEndpointRow; secret: string } {
  const id = newId("whe");
  const secret = generateWebhookSecret();
  return {
    secret,
    row: {
      id,
      userId: input.userId,
      url: input.url,
      description: input.description ?? null,
      events: JSON.stringify(input.events),
      secretSealed: sealSecret(env, id, secret),
      previousSecretSealed: null,
      previousSecretExpiresAt: null,
      status: "enabled",
      disabledReason: null,
      disabledAt: null,
      failingSince: null,
      consecutiveFailures: 0,
      createdAt: now,
      updatedAt: now,
    },
  };
}

/**
 * Inserts the endpoint and its audit row only while the owner has fewer than `cap` endpoints, decided in one D1
 * batch (concurrent creates cannot all pass a count read earlier).
 * @returns false when the cap was reached (nothing written)
 */
export async function insertEndpointWithinCap(
  database: Database,
  row: WebhookEndpointRow,
  audit: typeof auditLogs.$inferInsert,
  cap: number,
): Promise<boolean> {
  const [inserted] = await batch(database, [
    insertWhere(
      database,
      webhookEndpoints,
      row,
      belowCap(webhookEndpoints, eq(webhookEndpoints.userId, row.userId), cap),
    ),
    insertWhere(database, auditLogs, audit, rowExists(webhookEndpoints, eq(webhookEndpoints.id, row.id))),
  ]);
  return changes(inserted) === 1;
}

export async function findOwnEndpoint(database: Database, userId: string, id: string) {
  return database
    .select()
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.id, id), eq(webhookEndpoints.userId, userId)))
    .get();
}

export async function listOwnEndpoints(database: Database, userId: string, limit: number, offset: number) {
  const [rows, total] = await Promise.all([
    database
      .select()
      .from(webhookEndpoints)
      .where(eq(webhookEndpoints.userId, userId))
      .orderBy(desc(webhookEndpoints.createdAt), desc(webhookEndpoints.id))
      .limit(limit)
      .offset(offset)
      .all(),
    database.select({ n: count() }).from(webhookEndpoints).where(eq(webhookEndpoints.userId, userId)).get(),
  ]);
  return { rows, total: total?.n ?? 0 };
}

/** Deleting an endpoint removes its delivery history too (it belongs to the endpoint). */
export function deleteEndpointStatements(database: Database, id: string) {
  return [
    database
      .delete(webhookAttempts)
      .where(
        inArray(
          webhookAttempts.deliveryId,
          database
            .select({ id: webhookDeliveries.id })
            .from(webhookDeliveries)
            .where(eq(webhookDeliveries.endpointId, id)),
        ),
      ),
    database.delete(webhookDeliveries).where(eq(webhookDeliveries.endpointId, id)),
    database.delete(webhookEndpoints).where(eq(webhookEndpoints.id, id)),
  ] as const;
}

/**
 * Enabled endpoints whose owner may see an event with this audience: owners in the audience, and admins
 * (see ownerMaySee in src/domain/webhook-policy.ts). The audience goes in as one JSON parameter, so its size
 * never hits D1's bound-parameter limit. Endpoints of suspended or erased users never receive anything.
 */
export async function endpointsVisibleTo(database: Database, audience: readonly string[]) {
  return database
    .select({ endpoint: webhookEndpoints, ownerRole: users.role })
    .from(webhookEndpoints)
    .innerJoin(users, eq(users.id, webhookEndpoints.userId))
    .where(
      and(
        eq(webhookEndpoints.status, "enabled"),
        isNull(users.deletedAt),
        eq(users.suspended, false),
        or(
          inArray(users.role, [...ADMIN_ROLES]),
          sql`${webhookEndpoints.userId} in (select value from json_each(${JSON.stringify(audience)}))`,
        ),
      ),
    )
    .all();
}

export function newDeliveryRow(
  input: { endpointId: string; eventId: string; eventType: string; payload: string },
  now: string,
): WebhookDeliveryRow {
  return {
    id: newId("whd"),
    endpointId: input.endpointId,
    eventId: input.eventId,
    eventType: input.eventType,
    messageId: newId("msg"),
    payload: input.payload,
    status: "pending",
    attempts: 0,
    nextAttemptAt: now,
    lastAttemptAt: null,
    lastStatusCode: null,
    lastLatencyMs: null,
    lastError: null,
    createdAt: now,
    updatedAt: now,
    succeededAt: null,
  };
}

/** Deliveries of an event not yet attempted (to enqueue; repeats are harmless, attempts are claimed). */
export async function unattemptedDeliveriesOf(database: Database, eventId: string) {
  return database
    .select({ id: webhookDeliveries.id })
    .from(webhookDeliveries)
    .where(
      and(
        eq(webhookDeliveries.eventId, eventId),
        eq(webhookDeliveries.status, "pending"),
        eq(webhookDeliveries.attempts, 0),
      ),
    )
    .all();
}

export async function findDelivery(database: Database, id: string) {
  return database.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, id)).get();
}

export async function findEndpoint(database: Database, id: string) {
  return database.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, id)).get();
}

/**
 * Claims attempt number `attempt` of a pending delivery. Returns false when another worker (a duplicate queue
 * message, a manual retry) already made that attempt, so each attempt is made once.
 */
export async function claimAttempt(
  database: Database,
  deliveryId: string,
  attempt: number,
  now: string,
): Promise<boolean> {
  const claimed = await database
    .update(webhookDeliveries)
    .set({ attempts: attempt, lastAttemptAt: now, updatedAt: now, nextAttemptAt: null })
    .where(
      and(
        eq(webhookDeliveries.id, deliveryId),
        eq(webhookDeliveries.status, "pending"),
        eq(webhookDeliveries.attempts, attempt - 1),
      ),
    )
    .returning({ id: webhookDeliveries.id });
  return claimed.length === 1;
}

export interface AttemptRecord {
  deliveryId: string;
  attempt: number;
  at: string;
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
  responseSnippet: string | null;
}

/** Writes an attempt's log row and the delivery's new state in one batch. */
export async function recordAttempt(
  database: Database,
  record: AttemptRecord,
  delivery: { status: "pending" | "succeeded" | "failed"; nextAttemptAt: string | null },
) {
  await database.batch([
    database.insert(webhookAttempts).values(record).onConflictDoNothing(),
    database
      .update(webhookDeliveries)
      .set({
        status: delivery.status,
        nextAttemptAt: delivery.nextAttemptAt,
        lastStatusCode: record.statusCode,
        lastLatencyMs: record.latencyMs,
        lastError: record.error,
        updatedAt: record.at,
        ...(delivery.status === "succeeded" ? { succeededAt: record.at } : {}),
      })
      .where(eq(webhookDeliveries.id, record.deliveryId)),
  ]);
}

export async function markEndpointHealthy(database: Database, endpointId: string, now: string) {
  await database
    .update(webhookEndpoints)
    .set({ failingSince: null, consecutiveFailures: 0, updatedAt: now })
    .where(
      and(
        eq(webhookEndpoints.id, endpointId),
        sql`(${webhookEndpoints.failingSince} is not null or ${webhookEndpoints.consecutiveFailures} > 0)`,
      ),
    );
}

/** Counts a failure; returns the endpoint's `failingSince` after the update. */
export async function markEndpointFailing(database: Database, endpointId: string, now: string): Promise<string | null> {
  const [row] = await database
    .update(webhookEndpoints)
    .set({
      failingSince: sql`coalesce(${webhookEndpoints.failingSince}, ${now})`,
      consecutiveFailures: sql`${webhookEndpoints.consecutiveFailures} + 1`,
      updatedAt: now,
    })
    .where(eq(webhookEndpoints.id, endpointId))
    .returning({ failingSince: webhookEndpoints.failingSince });
  return row?.failingSince ?? null;
}

/** Disables an enabled endpoint; true if this call did it (so the owner is told once). */
export async function disableEndpoint(
  database: Database,
  endpointId: string,
  reason: string,
  now: string,
): Promise<boolean> {
  const rows = await database
    .update(webhookEndpoints)
    .set({ status: "disabled", disabledReason: reason, disabledAt: now, updatedAt: now })
    .where(and(eq(webhookEndpoints.id, endpointId), eq(webhookEndpoints.status, "enabled")))
    .returning({ id: webhookEndpoints.id });
  return rows.length === 1;
}

export async function deliveriesOfEndpoint(database: Database, endpointId: string, limit: number, offset: number) {
  const [rows, total] = await Promise.all([
    database
      .select()
      .from(webhookDeliveries)
      .where(eq(webhookDeliveries.endpointId, endpointId))
      .orderBy(desc(webhookDeliveries.createdAt), desc(webhookDeliveries.id))
      .limit(limit)
      .offset(offset)
      .all(),
    database.select({ n: count() }).from(webhookDeliveries).where(eq(webhookDeliveries.endpointId, endpointId)).get(),
  ]);
  const attempts = (
    await selectInChunks(
      rows.map((r) => r.id),
      (chunk) => database.select().from(webhookAttempts).where(inArray(webhookAttempts.deliveryId, chunk)).all(),
    )
  ).sort((a, b) => a.attempt - b.attempt);
  return { rows, attempts, total: total?.n ?? 0 };
}

const deliveryFields = viewPicker(deliverySchema);
const attemptFields = viewPicker(deliverySchema.shape.history.element);

/** API.md's webhook delivery (schemas/webhooks.ts deliverySchema) with its attempts (any delivery's; filtered). */
export function deliveryView(row: WebhookDeliveryRow, attempts: WebhookAttemptRow[]) {
  return deliveryFields({
    ...row,
    webhookId: row.messageId,
    history: attempts.filter((a) => a.deliveryId === row.id).map(attemptFields),
  });
}

/** Delivery owned (through its endpoint) by `userId`. */
export async function findOwnDelivery(database: Database, userId: string, deliveryId: string) {
  return database
    .select({ delivery: webhookDeliveries, endpoint: webhookEndpoints })
    .from(webhookDeliveries)
    .innerJoin(webhookEndpoints, eq(webhookEndpoints.id, webhookDeliveries.endpointId))
    .where(and(eq(webhookDeliveries.id, deliveryId), eq(webhookEndpoints.userId, userId)))
    .get();
}

/** Puts a finished delivery back to pending for one manual attempt; false if it is still pending. */
export async function reopenDelivery(database: Database, deliveryId: string, now: string): Promise<boolean> {
  const rows = await database
    .update(webhookDeliveries)
    .set({ status: "pending", nextAttemptAt: now, updatedAt: now })
    .where(and(eq(webhookDeliveries.id, deliveryId), sql`${webhookDeliveries.status} != 'pending'`))
    .returning({ id: webhookDeliveries.id });
  return rows.length === 1;
}

/**
 * Pending deliveries that should have moved by `cutoff` but did not: a scheduled attempt whose queue message was
 * lost (`nextAttemptAt` passed), or an attempt claimed and never recorded (the worker died mid-POST).
 */
export async function overdueDeliveries(database: Database, cutoff: string, limit: number) {
  return database
    .select()
    .from(webhookDeliveries)
    .where(
      and(
        eq(webhookDeliveries.status, "pending"),
        or(
          sql`${webhookDeliveries.nextAttemptAt} < ${cutoff}`,
          and(isNull(webhookDeliveries.nextAttemptAt), sql`${webhookDeliveries.lastAttemptAt} < ${cutoff}`),
        ),
      ),
    )
    .limit(limit)
    .all();
}

/** The statement that writes `changes` to the endpoint (for a batch with its audit entry); returns the row. */
export function updateEndpointStatement(database: Database, id: string, changes: Partial<WebhookEndpointRow>) {
  return database.update(webhookEndpoints).set(changes).where(eq(webhookEndpoints.id, id)).returning();
}

export async function insertDelivery(database: Database, delivery: WebhookDeliveryRow): Promise<void> {
  await database.insert(webhookDeliveries).values(delivery);
}
