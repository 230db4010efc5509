// The caller's own partner application: the lookup every change to one starts with (another's is unknown too).
import type { Database } from "../../db/client";
import { findOwnApplication } from "../../db/oauth";
import { fail } from "../../lib/errors";

/** @throws RES001 when the user owns no live application `id` */
export async function ownApplication(database: Database, userId: string, id: string) {
  const application = await findOwnApplication(database, userId, id);
  if (!application) throw fail.notFound("Application");
  return application;
}
