// A suspended or erased account stops everywhere at once. Its sessions and API keys already refuse on the next
// request (src/lib/auth.ts reads the user with the credential); this flow stops what runs without a request:
// live sockets (closed 4003), email queued on the user's behalf (cancelled; the send job checks again), and
// webhook deliveries to the user's endpoints (cancelled; fan-out skips them and the delivery job checks again).
import { and, eq, inArray } from "drizzle-orm";
import type { Bindings } from "../../env";
import { db } from "../../db/client";
import { emailDeliveries, webhookDeliveries, webhookEndpoints } from "../../db/schema";
import { endLiveSessions } from "../../lib/live-sessions";

/**
 * Call after the suspension or erasure committed.
 * @param reason recorded on each cancelled email and webhook delivery ("account suspended", "account erased")
 */
export async function stopAccountActivity(env: Bindings, userId: string, reason: string): Promise<void> {
  const database = db(env.DB);
  const now = new Date().toISOString();
  await database.batch([
    database
      .update(emailDeliveries)
      .set({ status: "failed", lastError: `not sent: ${reason}`, failedAt: now, updatedAt: now })
      .where(and(eq(emailDeliveries.onBehalfOf, userId), eq(emailDeliveries.status, "queued"))),
    database
      .update(webhookDeliveries)
      .set({ status: "failed", nextAttemptAt: null, lastError: `not sent: ${reason}`, updatedAt: now })
      .where(
        and(
          eq(webhookDeliveries.status, "pending"),
          inArray(
            webhookDeliveries.endpointId,
            database
              .select({ id: webhookEndpoints.id })
              .from(webhookEndpoints)
              .where(eq(webhookEndpoints.userId, userId)),
          ),
        ),
      ),
  ]);
  await endLiveSessions(env, userId, { why: "account_closed" });
}
