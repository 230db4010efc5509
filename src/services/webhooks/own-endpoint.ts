// The caller's own webhook endpoint, and the URL rule every endpoint write checks.
import type { Bindings } from "../../env";
import type { Database } from "../../db/client";
import { findOwnEndpoint, type WebhookEndpointRow } from "../../db/webhooks";
import { checkWebhookUrl, privateUrlsAllowed } from "../../domain/url-safety";
import { fail } from "../../lib/errors";

/** @throws RES001 when the user has no endpoint `id` (another user's is unknown too) */
export async function ownEndpoint(database: Database, userId: string, id: string): Promise<WebhookEndpointRow> {
  const endpoint = await findOwnEndpoint(database, userId, id);
  if (!endpoint) throw fail.notFound("Webhook endpoint");
  return endpoint;
}

/** @throws VAL001 (path `url`) for a URL deliveries must not go to (see domain/url-safety.ts) */
export function assertSafeUrl(env: Pick<Bindings, "WEBHOOK_ALLOW_PRIVATE_URLS">, url: string): void {
  const check = checkWebhookUrl(url, privateUrlsAllowed(env.WEBHOOK_ALLOW_PRIVATE_URLS));
  if (!check.ok) throw fail.invalid([{ path: "url", message: `The URL ${check.reason}` }]);
}
