// JOBS handler `webhook.deliver`: one signed POST of one delivery to its endpoint, logged as an attempt. Retries
// are new JOBS messages with the schedule's delay (not queue redeliveries), so the schedule is ours and longer
// than the queue's max_retries; each attempt number is claimed once, so duplicate messages never double-send.
import { CORRELATION_HEADER, currentCorrelationId } from "../lib/correlation";
import { eq } from "drizzle-orm";
import { z } from "zod";
import type { Bindings } from "../env";
import { db, type Database } from "../db/client";
import { users } from "../db/schema";
import {
  claimAttempt,
  disableEndpoint,
  findDelivery,
  findEndpoint,
  markEndpointFailing,
  markEndpointHealthy,
  recordAttempt,
  signingSecrets,
  type WebhookEndpointRow,
} from "../db/webhooks";
import { checkWebhookUrl, privateUrlsAllowed } from "../domain/url-safety";
import {
  outcomeOf,
  parseRetryAfter,
  shouldDisable,
  snippet,
  SNIPPET_BYTES,
  TIMEOUT_MS,
} from "../domain/webhook-policy";
import { webhookHeaders } from "../domain/webhook-signature";
import { sendEmail } from "../lib/email";
import { log } from "../lib/request-context";
import { enqueueJob } from "../lib/jobs";
import { UnconsumableEvent } from "./consume-event";
import { WEBHOOK_DELIVER_JOB } from "./fan-out-webhooks";
import type { JobHandler } from "./types";
import { mayActFor } from "../db/users";

const payloadSchema = z.object({
  /** Deliveries making the same attempt together (one event's endpoints), POSTed in parallel. */
  deliveryIds: z.array(z.string().min(1)).min(1).max(100),
  attempt: z.number().int().min(1),
  /** A manual retry makes one attempt and schedules no more. */
  manual: z.boolean().optional(),
});

interface AttemptResult {
  statusCode: number | null;
  retryAfter: string | null;
  error: string | null;
  responseSnippet: string | null;
  latencyMs: number;
}

export const deliverWebhookJob: JobHandler = async (message, env) => {
  const parsed = payloadSchema.safeParse(message.payload);
  // Retrying a malformed job can never succeed: the dispatcher dead-letters it.
  if (!parsed.success) throw new UnconsumableEvent("malformed webhook.deliver payload");
  const { deliveryIds, attempt, manual } = parsed.data;
  const results = await Promise.allSettled(deliveryIds.map((id) => deliverOne(env, id, attempt, manual ?? false)));
  // Only our own storage failing lands here (a receiver's failure is an attempt outcome). Redelivering the
  // message is safe: attempts already made are claimed and skipped.
  const failed = results.find((r) => r.status === "rejected");
  if (failed) throw failed.reason;
};

async function deliverOne(env: Bindings, deliveryId: string, attempt: number, manual: boolean): Promise<void> {
  const database = db(env.DB);

  const delivery = await findDelivery(database, deliveryId);
  if (!delivery || delivery.status !== "pending" || delivery.attempts !== attempt - 1) return; // gone, done, or a duplicate
  const endpoint = await findEndpoint(database, delivery.endpointId);
  if (!endpoint) return;

  const startedAt = new Date();
  const now = startedAt.toISOString();
  if (!(await claimAttempt(database, deliveryId, attempt, now))) return;

  // An attempt that could not be made: recorded as failed, with no retry (nothing a later attempt would change).
  const failUnattempted = (error: string) =>
    recordAttempt(
      database,
      { deliveryId, attempt, at: now, statusCode: null, latencyMs: 0, error, responseSnippet: null },
      { status: "failed", nextAttemptAt: null },
    );
  if (endpoint.status !== "enabled") return failUnattempted("endpoint disabled");
  // Checked at delivery, not only at fan-out: the owner may have been suspended or erased since (retries too).
  if (!(await mayActFor(database, endpoint.userId))) return failUnattempted("endpoint owner suspended or erased");

  // Checked again at delivery: the setting may have changed since the endpoint was created.
  const urlCheck = checkWebhookUrl(endpoint.url, privateUrlsAllowed(env.WEBHOOK_ALLOW_PRIVATE_URLS));
  const result: AttemptResult = urlCheck.ok
    ? await post(
        endpoint.url,
        signingSecrets(env, endpoint, startedAt),
        delivery.messageId,
        delivery.payload,
        startedAt,
      )
    : {
        statusCode: null,
        retryAfter: null,
        error: `refused: URL ${urlCheck.reason}`,
        responseSnippet: null,
        latencyMs: 0,
      };

  const record = {
    deliveryId,
    attempt,
    at: now,
    statusCode: result.statusCode,
    latencyMs: result.latencyMs,
    error: result.error,
    responseSnippet: result.responseSnippet,
  };
  const outcome = !urlCheck.ok
    ? ({ kind: "exhausted" } as const)
    : outcomeOf(attempt, result.statusCode, parseRetryAfter(result.retryAfter, startedAt));

  log("info", "webhook delivery attempt", {
    deliveryId,
    endpointId: endpoint.id,
    attempt,
    statusCode: result.statusCode,
    outcome: outcome.kind,
  });
  switch (outcome.kind) {
    case "succeeded":
      await recordAttempt(database, record, { status: "succeeded", nextAttemptAt: null });
      await markEndpointHealthy(database, endpoint.id, now);
      return;
    case "gone":
      await recordAttempt(database, record, { status: "failed", nextAttemptAt: null });
      await disableAndTell(env, database, endpoint, "The endpoint answered 410 Gone", now);
      return;
    case "retry":
    case "exhausted": {
      const retryIn = outcome.kind === "retry" && !manual ? outcome.delaySeconds : null;
      const nextAttemptAt = retryIn === null ? null : new Date(startedAt.getTime() + retryIn * 1000).toISOString();
      await recordAttempt(database, record, { status: retryIn === null ? "failed" : "pending", nextAttemptAt });
      const failingSince = await markEndpointFailing(database, endpoint.id, now);
      if (shouldDisable(failingSince, startedAt)) {
        await disableAndTell(env, database, endpoint, "Every delivery failed for 5 days", now);
        return;
      }
      if (retryIn !== null) {
        await enqueueJob(
          env,
          WEBHOOK_DELIVER_JOB,
          { deliveryIds: [deliveryId], attempt: attempt + 1 },
          { delaySeconds: retryIn },
        );
      }
      return;
    }
  }
}

function correlationHeader(): Record<string, string> {
  const id = currentCorrelationId();
  return id ? { [CORRELATION_HEADER]: id } : {};
}

async function post(
  url: string,
  secrets: string[],
  messageId: string,
  body: string,
  now: Date,
): Promise<AttemptResult> {
  const started = Date.now();
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "user-agent": "Escra-Webhooks/1",
        // The request that caused the event, so a partner's support ticket and our logs name the same id.
        ...correlationHeader(),
        ...webhookHeaders(secrets, messageId, now, body),
      },
      body,
      // A redirect could lead to a private address the URL check never saw: a 3xx is a failed attempt.
      redirect: "manual",
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    const text = await readSnippet(res);
    return {
      statusCode: res.status,
      retryAfter: res.headers.get("retry-after"),
      error: null,
      responseSnippet: text,
      latencyMs: Date.now() - started,
    };
  } catch (err) {
    const timedOut = err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError");
    return {
      statusCode: null,
      retryAfter: null,
      // Our own words only: a network error's text could echo internals.
      error: timedOut ? `timed out after ${TIMEOUT_MS / 1000} s` : "connection failed",
      responseSnippet: null,
      latencyMs: Date.now() - started,
    };
  }
}

/** Reads at most ~1 KB of the answer and drops the rest unread. */
async function readSnippet(res: Response): Promise<string | null> {
  if (!res.body) return null;
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < SNIPPET_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.length;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  const all = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.length;
  }
  return snippet(new TextDecoder().decode(all));
}

async function disableAndTell(
  env: Bindings,
  database: Database,
  endpoint: WebhookEndpointRow,
  reason: string,
  now: string,
) {
  if (!(await disableEndpoint(database, endpoint.id, reason, now))) return; // someone else already did (and told)
  log("warn", "webhook endpoint disabled", { endpointId: endpoint.id, reason });
  const owner = await database
    .select({ email: users.email, deletedAt: users.deletedAt })
    .from(users)
    .where(eq(users.id, endpoint.userId))
    .get();
  if (!owner || owner.deletedAt) return;
  await sendEmail(env, {
    to: owner.email,
    userId: endpoint.userId,
    template: "notice",
    data: {
      subject: "Your Escra webhook endpoint was disabled",
      heading: "Webhook endpoint disabled",
      lines: [
        `We stopped sending events to ${endpoint.url} (${endpoint.id}).`,
        `Reason: ${reason}.`,
        'Fix the receiver, then re-enable the endpoint with PATCH /api/v1/webhook-endpoints/{id} and { "status": "enabled" }. Failed deliveries can be retried from the delivery log.',
      ],
    },
  });
}
