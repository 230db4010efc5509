// Retention policies and their application: the policy rows (CRUD), and per record kind the statements that count
// and remove (or clear) what a policy makes due. Each removal is bounded (RETENTION_BATCH rows per statement) and
// selects by age only, so running it again is harmless (idempotent) and a run cut short is resumed by the next.
import { asc, eq, sql } from "drizzle-orm";
import type { Database } from "./client";
import { retentionPolicies } from "./schema/governance";
import type { PolicyType, RecordKind } from "../domain/retention";

export type RetentionPolicyRow = typeof retentionPolicies.$inferSelect;

/** Rows one statement removes or clears. */
export const RETENTION_BATCH = 500;

export function policyView(row: RetentionPolicyRow) {
  return {
    id: row.id,
    recordKind: row.recordKind as RecordKind,
    type: row.type as PolicyType,
    periodDays: row.periodDays,
    updatedBy: row.updatedBy,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export const listPolicies = (database: Database) =>
  database.select().from(retentionPolicies).orderBy(asc(retentionPolicies.recordKind)).all();

export const getPolicy = (database: Database, id: string) =>
  database.select().from(retentionPolicies).where(eq(retentionPolicies.id, id)).get();

export const policyForKind = (database: Database, kind: RecordKind) =>
  database.select().from(retentionPolicies).where(eq(retentionPolicies.recordKind, kind)).get();

/** @returns the row, or null when the kind already has a policy (unique index) */
export async function insertPolicy(database: Database, row: RetentionPolicyRow): Promise<RetentionPolicyRow | null> {
  const inserted = await database.insert(retentionPolicies).values(row).onConflictDoNothing().returning().all();
  return inserted[0] ?? null;
}

export async function updatePolicy(
  database: Database,
  id: string,
  patch: { type: PolicyType; periodDays: number; updatedBy: string; updatedAt: string },
): Promise<RetentionPolicyRow | null> {
  const rows = await database
    .update(retentionPolicies)
    .set(patch)
    .where(eq(retentionPolicies.id, id))
    .returning()
    .all();
  return rows[0] ?? null;
}

export async function deletePolicy(database: Database, id: string): Promise<boolean> {
  const rows = await database
    .delete(retentionPolicies)
    .where(eq(retentionPolicies.id, id))
    .returning({ id: retentionPolicies.id })
    .all();
  return rows.length > 0;
}

/**
 * The WHERE clause (raw SQL over one table) selecting what a policy makes due, per kind and type, and the action.
 * `unverified_accounts` is not here: accounts retire through their own flow (src/cron/unverified-accounts.ts).
 */
interface Target {
  table: string;
  key: string;
  due: (cutoff: string, now: string) => ReturnType<typeof sql>;
  /** SET clause for `retention` (clear the payload); absent: the kind only deletes. */
  clear?: ReturnType<typeof sql>;
}

const sessionDue = (cutoff: string) =>
  sql`(expires_at <= ${cutoff} OR (revoked_at IS NOT NULL AND revoked_at <= ${cutoff}))`;

const TARGETS: Record<Exclude<RecordKind, "unverified_accounts">, Target[]> = {
  sessions: [
    // A session is due once it expired or was revoked before the cutoff; its refresh tokens go with it (below).
    { table: "sessions", key: "id", due: (cutoff) => sessionDue(cutoff) },
    {
      table: "refresh_tokens",
      key: "id",
      due: (cutoff) =>
        sql`expires_at <= ${cutoff} OR session_id NOT IN (SELECT id FROM sessions) OR session_id IN (SELECT id FROM sessions WHERE ${sessionDue(cutoff)})`,
    },
  ],
  login_lockouts: [
    {
      table: "login_throttles",
      key: "email_key",
      due: (cutoff, now) => sql`updated_at <= ${cutoff} AND (locked_until IS NULL OR locked_until <= ${now})`,
    },
  ],
  email_payloads: [
    {
      table: "email_deliveries",
      key: "id",
      // Only settled mail: a queued email still needs its data to be sent.
      due: (cutoff) =>
        sql`status <> 'queued' AND coalesce(sent_at, failed_at, updated_at) <= ${cutoff} AND data <> '{}'`,
      clear: sql`data = '{}'`,
    },
    { table: "dev_mailbox", key: "id", due: (cutoff) => sql`sent_at <= ${cutoff}`, clear: sql`text = '', html = ''` },
  ],
  dead_letters: [{ table: "dead_letters", key: "id", due: (cutoff) => sql`received_at <= ${cutoff}` }],
  audit_logs: [
    {
      table: "audit_logs",
      key: "id",
      due: (cutoff) => sql`created_at <= ${cutoff}`,
      clear: sql`ip = NULL, user_agent = NULL`,
    },
  ],
};

/** For `retention`, only rows whose payload is not yet cleared are due (so counts fall to 0 once applied). */
const STILL_HELD: Partial<Record<string, ReturnType<typeof sql>>> = {
  dev_mailbox: sql`(text <> '' OR html <> '')`,
  audit_logs: sql`(ip IS NOT NULL OR user_agent IS NOT NULL)`,
};

function dueWhere(t: Target, type: PolicyType, cutoff: string, now: string) {
  const base = sql`(${t.due(cutoff, now)})`;
  const held = type === "retention" ? STILL_HELD[t.table] : undefined;
  return held ? sql`${base} AND ${held}` : base;
}

/** How many rows the policy makes due now (the dry run). */
export async function countDue(
  database: Database,
  kind: Exclude<RecordKind, "unverified_accounts">,
  type: PolicyType,
  cutoff: string,
  now: string,
) {
  let total = 0;
  for (const t of TARGETS[kind]) {
    if (type === "retention" && !t.clear) continue;
    const row = await database.get<{ n: number }>(
      sql`SELECT COUNT(*) AS n FROM ${sql.identifier(t.table)} WHERE ${dueWhere(t, type, cutoff, now)}`,
    );
    total += row?.n ?? 0;
  }
  return total;
}

/**
 * One bounded pass: removes (deletion) or clears (retention) at most RETENTION_BATCH due rows per table.
 * @returns rows changed; 0 when nothing is due any more
 */
export async function applyBatch(
  database: Database,
  kind: Exclude<RecordKind, "unverified_accounts">,
  type: PolicyType,
  cutoff: string,
  now: string,
) {
  let changed = 0;
  for (const t of TARGETS[kind]) {
    if (type === "retention" && !t.clear) continue;
    const table = sql.identifier(t.table);
    const key = sql.identifier(t.key);
    const pick = sql`SELECT ${key} FROM ${table} WHERE ${dueWhere(t, type, cutoff, now)} LIMIT ${RETENTION_BATCH}`;
    const statement =
      type === "retention"
        ? sql`UPDATE ${table} SET ${t.clear!} WHERE ${key} IN (${pick})`
        : sql`DELETE FROM ${table} WHERE ${key} IN (${pick})`;
    const result = await database.run(statement);
    changed += result.meta.changes ?? 0;
  }
  return changed;
}
