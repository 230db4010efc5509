// Which store holds personal data and how each is exported and erased: one registration per D1 table with a user
// reference and per Durable Object namespace. test/db/user-data-registry.test.ts walks the migrated schema and
// fails when a table that references a user has no entry here, so a new table cannot silently escape GDPR Art. 15/17.
import { EXPORT_SECTIONS, ERASURE_STEPS } from "./user-data";

/**
 * A section/step name of src/db/user-data.ts, `{ by }` the code outside those registries that covers it, or
 * `{ none }` with why the store has none (a reason a reviewer can check).
 */
export type Coverage = string | { by: string } | { none: string };

export interface UserDataRegistration {
  export: Coverage;
  erasure: Coverage;
}

/** Column names that point at a person: an id of a user, an email address, or where they connected from. */
export const USER_REFERENCE_COLUMN =
  /^(user_id|owner_id|actor_id|author_id|buyer_id|seller_id|[a-z_]+_by|email|to|ip)$/;

/** D1 tables, by table name. */
export const USER_DATA_TABLES: Record<string, UserDataRegistration> = {
  users: { export: "profile", erasure: "profile" },
  sessions: { export: "sessions", erasure: "credentials" },
  api_keys: { export: "apiKeys", erasure: "credentials" },
  oauth_applications: { export: "oauthApplications", erasure: "credentials" },
  oauth_grants: { export: "oauthAuthorizations", erasure: "credentials" },
  oauth_codes: { export: { none: "one-time code digests only, valid 10 minutes" }, erasure: "credentials" },
  email_verifications: { export: { none: "one-time code digests only, valid minutes" }, erasure: "credentials" },
  password_resets: { export: { none: "one-time token digests only, valid minutes" }, erasure: "credentials" },
  user_identities: { export: "identities", erasure: "credentials" },
  login_challenges: {
    export: { none: "challenge digests of a sign-in in progress, valid minutes" },
    erasure: "credentials",
  },
  mfa_recovery_codes: {
    export: { none: "peppered code digests: secrets, not information about the user" },
    erasure: "credentials",
  },
  teams: { export: "teams", erasure: "teams" },
  team_members: { export: "teams", erasure: "teams" },
  team_invitations: { export: "teamInvitations", erasure: "teams" },
  notification_preferences: { export: "notificationPreferences", erasure: "preferences" },
  audit_logs: { export: "auditEntries", erasure: "audit" },
  email_deliveries: { export: "emails", erasure: "emails" },
  dev_mailbox: {
    export: { none: "development-only copy of sent mail; the delivery log is exported" },
    erasure: "emails",
  },
  contracts: { export: "contracts", erasure: "contracts" },
  contract_signers: { export: "contractParticipations", erasure: "contracts" },
  contract_shares: { export: "contractShares", erasure: "contracts" },
  contract_attachments: {
    export: "files",
    erasure: { none: "part of the contract other parties rely on; uploader id is pseudonymous" },
  },
  contract_uploads: {
    export: { none: "an unfinished multipart upload: no file yet" },
    erasure: { none: "aborted and removed when the upload expires; holds only the pseudonymous uploader id" },
  },
  saved_searches: { export: "savedSearches", erasure: "contracts" },
  escrows: {
    export: "escrows",
    erasure: { none: "payment record kept for its legal retention period; holds only pseudonymous party ids" },
  },
  escrow_holds: {
    export: { none: "a concurrency guard per unfunded escrow; the escrow itself is exported in `escrows`" },
    erasure: { none: "removed when the escrow leaves pending; holds only the pseudonymous buyer id" },
  },
  listings: {
    export: "listings",
    erasure: { none: "kept under the pseudonymous seller id; an erased seller's listings leave the public catalog" },
  },
  notifications: { export: "notifications", erasure: "notifications" },
  webhook_endpoints: { export: "webhookEndpoints", erasure: "webhookEndpoints" },
  templates: { export: "templates", erasure: { none: "contracts cite template versions; owner id is pseudonymous" } },
  template_versions: {
    export: "templates",
    erasure: { none: "contracts cite template versions; author id is pseudonymous" },
  },
  workflows: { export: "workflows", erasure: "workflows" },
  reports: {
    export: { none: "report files are copies of data exported in its own sections; they expire (REPORT_TTL_HOURS)" },
    erasure: { none: "removed with its file by the cron at expiry (REPORT_TTL_HOURS, default 24 h)" },
  },
  data_exports: {
    export: { none: "the asynchronous exports are copies of this export; they expire 24 h after they are ready" },
    erasure: "dataExports",
  },
  consent_records: { export: "consents", erasure: "consents" },
  retention_policies: {
    export: { none: "platform configuration; only the id of the admin who last changed a policy" },
    erasure: { none: "holds only the pseudonymous admin id" },
  },
  // Derived: the FTS5 indexes follow their tables through triggers (migration 0009). Erasure rewrites contract text
  // naming the person in the room (so in `contracts`), then merges the index ('optimize') so no old term survives.
  contracts_fts: {
    export: { none: "an index of `contracts`, exported there" },
    erasure: { by: "triggers on `contracts` + 'optimize' in src/services/users/erase-user.ts" },
  },
  templates_fts: {
    export: { none: "an index of `templates`, exported there" },
    erasure: { none: "follows `templates` by triggers" },
  },
  // Derived: daily/monthly counts for analytics (migration 0037), recomputed by the cron from `contracts`/`escrows`.
  analytics_daily: {
    export: { none: "counts derived from `contracts` and `escrows`, exported there" },
    erasure: { none: "counts under the pseudonymous owner id; no name, email or content" },
  },
};

/** Durable Object namespaces, by binding name (wrangler.toml). */
export const USER_DATA_STORES: Record<string, UserDataRegistration> = {
  CONTRACT_ROOM: {
    export: "contracts",
    // Signers, shares and text naming the person take the pseudonym (the outbox rewrites the D1 projection); stored
    // versions and live events are redacted; the audit chain's disclosures of them are dropped (chain still verifies).
    erasure: { by: "eraseParty, called by src/services/users/erase-user.ts" },
  },
  ESCROW_ROOM: { export: "escrows", erasure: { by: "eraseParty (description, live events, audit disclosures)" } },
  LISTING_ROOM: { export: "listings", erasure: { none: "seller id only, pseudonymous after erasure" } },
  USER_FEED: { export: "notifications", erasure: { by: "UserFeed.erase, called by src/services/users/erase-user.ts" } },
  RATE_LIMITER: {
    export: { none: "hit counters of one window" },
    erasure: { none: "counters expire with their window" },
  },
  METRICS_ROOM: {
    export: { none: "request counters by route template and socket counts per room; no user data" },
    erasure: { none: "holds no user id" },
  },
};

/** Registration names that point at no export section or erasure step (a typo or a removed step). */
export function danglingRegistrations(): string[] {
  const sections = new Set(EXPORT_SECTIONS.map((s) => s.name));
  const steps = new Set(ERASURE_STEPS.map((s) => s.name));
  const problems: string[] = [];
  for (const [store, r] of [...Object.entries(USER_DATA_TABLES), ...Object.entries(USER_DATA_STORES)]) {
    if (typeof r.export === "string" && !sections.has(r.export)) problems.push(`${store}: export section ${r.export}`);
    if (typeof r.erasure === "string" && !steps.has(r.erasure)) problems.push(`${store}: erasure step ${r.erasure}`);
  }
  return problems;
}

/**
 * Tables of the live D1 schema with a column matching USER_REFERENCE_COLUMN and no registration.
 * @returns table names with the matching columns, e.g. ["consents(user_id, ip)"]; [] when all are registered
 */
export async function unregisteredUserTables(d1: D1Database): Promise<string[]> {
  const { results } = await d1
    .prepare(
      `SELECT m.name AS tbl, p.name AS col
         FROM sqlite_master m JOIN pragma_table_info(m.name) p
        WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_cf_%' AND m.name <> 'd1_migrations'`,
    )
    .all<{ tbl: string; col: string }>();
  const personal = new Map<string, string[]>();
  for (const { tbl, col } of results) {
    if (USER_REFERENCE_COLUMN.test(col) && !(tbl in USER_DATA_TABLES))
      personal.set(tbl, [...(personal.get(tbl) ?? []), col]);
  }
  return [...personal].map(([tbl, cols]) => `${tbl}(${cols.join(", ")})`).sort();
}
