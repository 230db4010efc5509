// The caller's own API key: the lookup every key change starts with (another user's key is unknown too).
import type { Database } from "../../db/client";
import { type ApiKeyRow, findOwnApiKey } from "../../db/api-keys";
import { fail } from "../../lib/errors";

/** @throws RES001 when the user has no key `id` */
export async function ownApiKey(database: Database, userId: string, id: string): Promise<ApiKeyRow> {
  const key = await findOwnApiKey(database, userId, id);
  if (!key) throw fail.notFound("API key");
  return key;
}
