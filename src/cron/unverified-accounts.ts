// Cron task: accounts that never verified their address within 7 days are retired (db/user-data.ts
// retireUnverifiedStatements), a bounded batch per run, so an address typed by someone else is free again and the
// squatting account keeps nothing. Runs every 5 minutes; 25 accounts a run is 7,200 a day. The period is the
// `unverified_accounts` retention policy's (default 7 days); without that policy no account is retired.
import { and, asc, isNull, lte } from "drizzle-orm";
import type { Bindings } from "../env";
import { db } from "../db/client";
import { users } from "../db/schema/identity";
import { retireUnverifiedStatements } from "../db/user-data";
import { auditInsert } from "../lib/audit";
import { endLiveSessions } from "../lib/live-sessions";
import { log } from "../lib/request-context";
import { retentionCutoff } from "../domain/retention";
import { policyForKind } from "../db/retention";

/** Accounts retired per run: bounded D1 work (each is one claim plus one batch) in one cron invocation. */
export const UNVERIFIED_SWEEP_BATCH = 25;

/** @returns how many accounts were retired */
export async function expireUnverifiedAccounts(env: Bindings, now: Date): Promise<number> {
  const database = db(env.DB);
  const at = now.toISOString();
  const policy = await policyForKind(database, "unverified_accounts");
  if (!policy) return 0;
  const due = await database
    .select()
    .from(users)
    .where(
      and(
        isNull(users.emailVerifiedAt),
        isNull(users.deletedAt),
        lte(users.createdAt, retentionCutoff(now, policy.periodDays)),
      ),
    )
    .orderBy(asc(users.createdAt))
    .limit(UNVERIFIED_SWEEP_BATCH)
    .all();
  let retired = 0;
  for (const user of due) {
    try {
      const { claim, rest } = await retireUnverifiedStatements(database, user, at);
      // The guarded claim alone first: an account that verified since the read above is left alone.
      const claimed = await claim;
      if (claimed.length === 0) continue;
      await database.batch([
        auditInsert(
          env,
          { action: "auth.unverified_account.expired", actorId: null, resourceType: "user", resourceId: user.id },
          now,
        ),
        ...rest,
      ]);
      await endLiveSessions(env, user.id, { why: "account_closed" });
      retired += 1;
    } catch (error) {
      log("error", "unverified account not retired", { userId: user.id, error: String(error) });
    }
  }
  return retired;
}
