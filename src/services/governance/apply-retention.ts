// Retention (daily cron, 03:00 UTC, and the dry run): applies every retention policy (src/domain/retention.ts) in bounded batches —
// at most MAX_BATCHES_PER_KIND statements of RETENTION_BATCH rows per table per run, so one run stays bounded and
// a backlog is worked off over several days (resumable: each run picks what is still due). Idempotent: due-ness is
// by age alone. Each run that changed something is audited with its counts per record kind.
import { and, count, isNull, lte } from "drizzle-orm";
import type { Bindings } from "../../env";
import { db, type Database } from "../../db/client";
import { users } from "../../db/schema/identity";
import { applyBatch, countDue, listPolicies, RETENTION_BATCH } from "../../db/retention";
import { auditInsert } from "../../lib/audit";
import { log } from "../../lib/request-context";
import { retentionCutoff, type PolicyType, type RecordKind } from "../../domain/retention";
import { expireUnverifiedAccounts } from "../../cron/unverified-accounts";

/** Statements per table per run: 20 × 500 = 10,000 rows per table a day at most. */
export const MAX_BATCHES_PER_KIND = 20;

export interface PolicyOutcome {
  policyId: string;
  recordKind: RecordKind;
  type: PolicyType;
  periodDays: number;
  cutoff: string;
  /** rows removed or cleared (dry run: that would be) */
  count: number;
}

/** What each policy makes due at `now`, without changing anything (POST /governance/policies/dry-run). */
export async function retentionDryRun(env: Bindings, now: Date): Promise<PolicyOutcome[]> {
  const database = db(env.DB);
  const at = now.toISOString();
  const out: PolicyOutcome[] = [];
  for (const policy of await policiesAt(database, now)) {
    const { recordKind: kind, type, cutoff } = policy;
    const n =
      kind === "unverified_accounts"
        ? await dueUnverified(database, cutoff)
        : await countDue(database, kind, type, cutoff, at);
    out.push({ ...policy, count: n });
  }
  return out;
}

/** Every policy as an outcome before counting: its record kind, type, period and the cutoff it makes due at `now`. */
async function policiesAt(database: Database, now: Date): Promise<Omit<PolicyOutcome, "count">[]> {
  return (await listPolicies(database)).map((p) => ({
    policyId: p.id,
    recordKind: p.recordKind as RecordKind,
    type: p.type as PolicyType,
    periodDays: p.periodDays,
    cutoff: retentionCutoff(now, p.periodDays),
  }));
}

async function dueUnverified(database: Database, cutoff: string): Promise<number> {
  const row = await database
    .select({ n: count() })
    .from(users)
    .where(and(isNull(users.emailVerifiedAt), isNull(users.deletedAt), lte(users.createdAt, cutoff)))
    .get();
  return row?.n ?? 0;
}

/** @returns per policy, the rows removed or cleared by this run */
export async function applyRetention(env: Bindings, now: Date): Promise<PolicyOutcome[]> {
  const database = db(env.DB);
  const at = now.toISOString();
  const out: PolicyOutcome[] = [];
  for (const policy of await policiesAt(database, now)) {
    const { recordKind: kind, type, cutoff } = policy;
    let changed = 0;
    try {
      if (kind === "unverified_accounts") {
        // Retired one by one through the identity flow (it keeps what belongs to the mailbox's owner).
        for (let i = 0; i < MAX_BATCHES_PER_KIND; i += 1) {
          const n = await expireUnverifiedAccounts(env, now);
          changed += n;
          if (n === 0) break;
        }
      } else {
        for (let i = 0; i < MAX_BATCHES_PER_KIND; i += 1) {
          const n = await applyBatch(database, kind, type, cutoff, at);
          changed += n;
          if (n < RETENTION_BATCH) break;
        }
      }
    } catch (error) {
      // One failing kind does not stop the others; the next run resumes it.
      log("error", "retention policy not applied", {
        policyId: policy.policyId,
        recordKind: kind,
        error: String(error),
      });
    }
    out.push({ ...policy, count: changed });
  }
  const total = out.reduce((sum, o) => sum + o.count, 0);
  if (total > 0) {
    const counts = Object.fromEntries(out.map((o) => [o.recordKind, o.count]));
    await auditInsert(
      env,
      {
        action: "retention.applied",
        actorId: null,
        resourceType: "retention_policy",
        resourceId: null,
        data: { counts },
      },
      now,
    );
  }
  return out;
}
