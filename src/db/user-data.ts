// GDPR: everything we hold about a user (export) and how their personal data is erased. Two registries, one entry
// per table that references a user: a module that adds such a table adds its export section and erasure step here.
// Erasure pseudonymises rather than deletes rows other parties rely on (contracts, signatures, escrows, audit).
import { and, desc, eq, getTableColumns, inArray, isNull, ne, or, sql, type AnyColumn, type SQL } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { SelectedFields, SQLiteColumn, SQLiteTable } from "drizzle-orm/sqlite-core";
import type { Database } from "./client";
import {
  apiKeys,
  emailVerifications,
  loginChallenges,
  mfaRecoveryCodes,
  oidcFlows,
  passwordResets,
  sessions,
  userIdentities,
  users,
} from "./schema/identity";
import { auditLogs } from "./schema/audit";
import { teamInvitations, teamMembers, teams } from "./schema/teams";
import { notificationPreferences } from "./schema/preferences";
import { devMailbox, emailDeliveries } from "./schema/email";
import { contractAttachments, contracts, contractShares, contractSigners, savedSearches } from "./schema/contracts";
import { notifications } from "./schema/notifications";
import { webhookEndpoints } from "./schema/webhooks";
import { templates } from "./schema/templates";
import { workflows } from "./schema/workflows";
import { listEscrows } from "./escrows";
import { listListings } from "./listings";
import { notificationView } from "./notifications";
import { deleteEndpointStatements, endpointView } from "./webhooks";
import { revokeInvitationsSentFromStatement } from "./teams";
import { userView, type UserRow } from "./users";
import { selectInChunks } from "./chunks";
import { NO_PAYOUT_ACCOUNT, payoutAccountView } from "./payout-accounts";
import { apiKeyView } from "./api-keys";
import { applicationView, authorizationView, eraseOAuthStatements } from "./oauth";
import { oauthApplications, oauthGrants } from "./schema/oauth";
import { preferencesOf } from "./notification-preferences";
import { teamRank, type TeamRole } from "../domain/team-roles";
import { consentRecords, dataExports } from "./schema/lifecycle";
import { consentsOf, consentView } from "./consents";

/**
 * Rows addressed to the user's email count as theirs only once they proved the address (DESIGN.md "an email address
 * is not an identity until it is verified"): for an unverified account the condition matches nothing.
 */
function provenAddress(column: AnyColumn, user: Pick<UserRow, "email" | "emailVerifiedAt">): SQL {
  return user.emailVerifiedAt !== null ? eq(column, user.email) : sql`0`;
}

/** Cap per section so one export stays a bounded response; the export says when a section was cut. */
export const EXPORT_ROW_LIMIT = 1000;

/** A window of a list section's rows: the sync export reads the first EXPORT_ROW_LIMIT, the async one every page. */
export interface ExportPage {
  limit: number;
  offset: number;
}

export const FIRST_PAGE: ExportPage = { limit: EXPORT_ROW_LIMIT, offset: 0 };

export interface ExportSection {
  name: string;
  /** `object`: one value (the profile, the preferences), read once; `list`: rows, read page by page. */
  shape?: "object" | "list";
  collect: (database: Database, user: UserRow, page: ExportPage) => Promise<unknown>;
}

/**
 * A list section of one table: the rows `where` picks for the user, in `orderBy` order, a page at a time.
 * @param options.select only these columns (every column when absent: a table with no secret in it)
 * @param options.join a table joined in (inner join `on`), for `select` to take columns from
 * @param options.view maps each row to what the export shows (e.g. the API's view, which leaves secrets out)
 */
function tableSection<T extends SQLiteTable, Row = T["$inferSelect"]>(
  name: string,
  table: T,
  where: (user: UserRow) => SQL | undefined,
  orderBy: SQL | SQLiteColumn,
  options: {
    select?: SelectedFields;
    join?: { table: SQLiteTable; on: SQL };
    view?: (row: Row) => unknown;
  } = {},
): ExportSection {
  return {
    name,
    collect: async (database, user, page) => {
      // A generic table's query builder is too wide for drizzle's types: the rows are the table's, or `select`'s
      // (typed by `view`'s parameter).
      const query = options.select ? database.select(options.select) : database.select();
      const from = query.from(table as SQLiteTable);
      const rows = (await (options.join ? from.innerJoin(options.join.table, options.join.on) : from)
        .where(where(user))
        .orderBy(orderBy)
        .limit(page.limit)
        .offset(page.offset)
        .all()) as Row[];
      return options.view ? rows.map(options.view) : rows;
    },
  };
}

export const EXPORT_SECTIONS: ExportSection[] = [
  {
    name: "profile",
    shape: "object",
    collect: async (_db, user) => ({
      ...userView(user),
      suspended: user.suspended,
      suspendedAt: user.suspendedAt,
      updatedAt: user.updatedAt,
    }),
  },
  {
    // Only what we hold: bank code, last 4 digits and name (the provider keeps the account number).
    name: "payoutAccount",
    shape: "object",
    collect: async (_db, user) => payoutAccountView(user),
  },
  tableSection("sessions", sessions, (user) => eq(sessions.userId, user.id), desc(sessions.createdAt), {
    select: {
      id: sessions.id,
      userAgent: sessions.userAgent,
      ip: sessions.ip,
      createdAt: sessions.createdAt,
      lastUsedAt: sessions.lastUsedAt,
      expiresAt: sessions.expiresAt,
      revokedAt: sessions.revokedAt,
      revokedReason: sessions.revokedReason,
    },
  }),
  // The sign-in providers linked to the account (issue 17.1): which provider, the address it asserted, when used.
  tableSection("identities", userIdentities, (user) => eq(userIdentities.userId, user.id), userIdentities.id, {
    select: {
      id: userIdentities.id,
      provider: userIdentities.provider,
      issuer: userIdentities.issuer,
      subject: userIdentities.subject,
      email: userIdentities.email,
      emailVerified: userIdentities.emailVerified,
      createdAt: userIdentities.createdAt,
      lastUsedAt: userIdentities.lastUsedAt,
    },
  }),
  tableSection("apiKeys", apiKeys, (user) => eq(apiKeys.userId, user.id), apiKeys.id, { view: (k) => apiKeyView(k) }),
  tableSection(
    "oauthApplications",
    oauthApplications,
    (user) => eq(oauthApplications.ownerId, user.id),
    oauthApplications.id,
    {
      view: (a) => ({ ...applicationView(a), deletedAt: a.deletedAt }),
    },
  ),
  tableSection("oauthAuthorizations", oauthGrants, (user) => eq(oauthGrants.userId, user.id), oauthGrants.id, {
    select: { grant: oauthGrants, applicationName: oauthApplications.name },
    join: { table: oauthApplications, on: eq(oauthApplications.id, oauthGrants.applicationId) },
    view: authorizationView,
  }),
  tableSection("teams", teamMembers, (user) => eq(teamMembers.userId, user.id), teamMembers.teamId, {
    select: {
      id: teams.id,
      name: teams.name,
      description: teams.description,
      role: teamMembers.role,
      joinedAt: teamMembers.createdAt,
    },
    join: { table: teams, on: eq(teams.id, teamMembers.teamId) },
  }),
  tableSection(
    "teamInvitations",
    teamInvitations,
    (user) => or(provenAddress(teamInvitations.email, user), eq(teamInvitations.invitedBy, user.id)),
    teamInvitations.id,
    {
      select: {
        id: teamInvitations.id,
        teamId: teamInvitations.teamId,
        email: teamInvitations.email,
        role: teamInvitations.role,
        invitedBy: teamInvitations.invitedBy,
        createdAt: teamInvitations.createdAt,
        expiresAt: teamInvitations.expiresAt,
        acceptedAt: teamInvitations.acceptedAt,
        revokedAt: teamInvitations.revokedAt,
      },
    },
  ),
  {
    name: "notificationPreferences",
    shape: "object",
    collect: (database, user) => preferencesOf(database, user.id),
  },
  tableSection(
    "auditEntries",
    auditLogs,
    (user) =>
      or(eq(auditLogs.actorId, user.id), and(eq(auditLogs.resourceType, "user"), eq(auditLogs.resourceId, user.id))),
    desc(auditLogs.createdAt),
    { view: (a) => ({ ...a, data: a.data ? (JSON.parse(a.data) as unknown) : null }) },
  ),
  // Template data can hold one-time codes and tokens: only what was sent when, never the data.
  tableSection(
    "emails",
    emailDeliveries,
    (user) => or(eq(emailDeliveries.userId, user.id), provenAddress(emailDeliveries.to, user)),
    desc(emailDeliveries.createdAt),
    {
      select: {
        id: emailDeliveries.id,
        to: emailDeliveries.to,
        template: emailDeliveries.template,
        subject: emailDeliveries.subject,
        status: emailDeliveries.status,
        createdAt: emailDeliveries.createdAt,
        sentAt: emailDeliveries.sentAt,
      },
    },
  ),
  tableSection("contracts", contracts, (user) => eq(contracts.ownerId, user.id), desc(contracts.createdAt), {
    select: {
      id: contracts.id,
      title: contracts.title,
      type: contracts.type,
      status: contracts.status,
      teamId: contracts.teamId,
      createdAt: contracts.createdAt,
    },
  }),
  tableSection(
    "contractParticipations",
    contractSigners,
    (user) => provenAddress(contractSigners.email, user),
    contractSigners.id,
    {
      select: {
        contractId: contractSigners.contractId,
        role: contractSigners.role,
        status: contractSigners.status,
        name: contractSigners.name,
        signedAt: contractSigners.signedAt,
      },
    },
  ),
  tableSection(
    "contractShares",
    contractShares,
    (user) => or(eq(contractShares.userId, user.id), provenAddress(contractShares.email, user)),
    contractShares.id,
  ),
  tableSection("savedSearches", savedSearches, (user) => eq(savedSearches.userId, user.id), savedSearches.id),
  {
    // As buyer or as seller, in the API's escrow shape.
    name: "escrows",
    collect: async (database, user, page) => (await listEscrows(database, user.id, {}, page)).items,
  },
  {
    name: "listings",
    collect: async (database, user, page) => (await listListings(database, { sellerId: user.id }, page)).items,
  },
  tableSection(
    "notifications",
    notifications,
    (user) => eq(notifications.userId, user.id),
    desc(notifications.createdAt),
    {
      view: notificationView,
    },
  ),
  // The endpoint as its owner sees it in the API: never its signing secrets.
  tableSection(
    "webhookEndpoints",
    webhookEndpoints,
    (user) => eq(webhookEndpoints.userId, user.id),
    webhookEndpoints.id,
    {
      view: endpointView,
    },
  ),
  tableSection("templates", templates, (user) => eq(templates.ownerId, user.id), templates.id),
  tableSection("workflows", workflows, (user) => eq(workflows.ownerId, user.id), workflows.id),
  {
    // Consents given and withdrawn (issue 15.5): e-signature consent at signing, notification channel choices.
    name: "consents",
    collect: async (database, user, page) => (await consentsOf(database, user.id, page)).items.map(consentView),
  },
  {
    // Files are links (paths under this API, fetched with the same credentials), not bytes: the export stays a
    // bounded JSON document. Listing proofs have no download route and are listed with their hashes in `listings`.
    name: "files",
    collect: async (database, user, page) => {
      const [owned, uploaded] = await Promise.all([
        database
          .select({ id: contracts.id, title: contracts.title, documentHash: contracts.documentHash })
          .from(contracts)
          .where(eq(contracts.ownerId, user.id))
          .orderBy(desc(contracts.createdAt))
          .limit(page.limit)
          .offset(page.offset)
          .all(),
        database
          .select()
          .from(contractAttachments)
          .where(eq(contractAttachments.uploadedBy, user.id))
          .orderBy(desc(contractAttachments.createdAt))
          .limit(page.limit)
          .offset(page.offset)
          .all(),
      ]);
      return [
        // Once, on the first page: the async export reads page after page.
        ...(user.avatarKey && page.offset === 0 ? [{ kind: "avatar", url: `/api/v1/users/${user.id}/avatar` }] : []),
        ...owned.map((c) => ({
          kind: "contractDocument",
          contractId: c.id,
          name: c.title,
          sha256: c.documentHash,
          url: `/api/v1/contracts/${c.id}/document`,
        })),
        ...uploaded.map((a) => ({
          kind: "contractAttachment",
          contractId: a.contractId,
          name: a.name,
          contentType: a.contentType,
          size: a.size,
          sha256: a.sha256,
          url: `/api/v1/contracts/${a.contractId}/attachments/${a.id}`,
        })),
      ];
    },
  },
];

/**
 * The synchronous export: every section, list sections cut at EXPORT_ROW_LIMIT rows.
 * @returns the sections by name, and `truncated`: the list sections that reached the cap (their complete rows come
 *   from the asynchronous export, POST /users/me/exports)
 */
export async function exportUserData(database: Database, user: UserRow) {
  const sections = await Promise.all(
    EXPORT_SECTIONS.map(async (s) => [s.name, await s.collect(database, user, FIRST_PAGE)] as const),
  );
  // A section that filled the cap is cut only if a row lies beyond it: exactly EXPORT_ROW_LIMIT rows is complete,
  // and `files` joins several lists, so it can hold more than the cap without any of them being cut.
  const beyond: ExportPage = { limit: 1, offset: EXPORT_ROW_LIMIT };
  const truncated = (
    await Promise.all(
      EXPORT_SECTIONS.map(async (s, i) => {
        const value = sections[i]![1];
        if (!Array.isArray(value) || value.length < EXPORT_ROW_LIMIT) return null;
        const more = (await s.collect(database, user, beyond)) as unknown[];
        return more.length > 0 ? s.name : null;
      }),
    )
  ).filter((name): name is string => name !== null);
  return { ...Object.fromEntries(sections), truncated };
}

// ---- erasure ----

export interface ErasureContext {
  user: UserRow;
  /** The address that replaces the user's email everywhere (unique, undeliverable: RFC 2606 `.invalid`). */
  pseudonymEmail: string;
  pseudonymName: string;
  now: string;
}

/** Reads done before the batch (e.g. which teams need a new owner); steps turn them into statements. */
export interface ErasureStep {
  name: string;
  statements: (database: Database, ctx: ErasureContext) => Promise<BatchItem<"sqlite">[]>;
}

export const pseudonymFor = (userId: string) => ({
  email: `erased+${userId.toLowerCase()}@erased.invalid`,
  name: "Erased user",
});

/** The password hash column is NOT NULL; this value is no PHC string, so no password ever verifies against it. */
export const ERASED_PASSWORD_HASH = "!erased";

/**
 * Statements taking the user out of every team. A team left without an owner gets its highest-ranked,
 * longest-standing member as owner; a team left empty is deleted with its invitations.
 */
async function leaveTeamsStatements(database: Database, userId: string, now: string): Promise<BatchItem<"sqlite">[]> {
  const memberships = await database.select().from(teamMembers).where(eq(teamMembers.userId, userId)).all();
  const teamIds = memberships.map((m) => m.teamId);
  const others = (
    await selectInChunks(
      teamIds,
      (chunk) =>
        database
          .select()
          .from(teamMembers)
          .where(and(inArray(teamMembers.teamId, chunk), ne(teamMembers.userId, userId)))
          .all(),
      { fixed: 1 },
    )
  ).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  const statements: BatchItem<"sqlite">[] = [database.delete(teamMembers).where(eq(teamMembers.userId, userId))];
  for (const teamId of teamIds) {
    const rest = others.filter((m) => m.teamId === teamId);
    if (rest.length === 0) {
      statements.push(database.delete(teamInvitations).where(eq(teamInvitations.teamId, teamId)));
      statements.push(database.delete(teams).where(eq(teams.id, teamId)));
    } else if (!rest.some((m) => m.role === "owner")) {
      const heir = [...rest].sort((a, b) => teamRank(b.role as TeamRole) - teamRank(a.role as TeamRole))[0]!;
      statements.push(
        database
          .update(teamMembers)
          .set({ role: "owner", updatedAt: now })
          .where(and(eq(teamMembers.teamId, teamId), eq(teamMembers.userId, heir.userId))),
      );
    }
  }
  return statements;
}

/** Names shorter than this are not replaced in free text (see src/domain/party-erasure.ts). */
const MIN_NAME_LENGTH = 3;

/**
 * The (term, replacement) pairs that rewrite free text naming the person: their address and their name, each also
 * in its JSON-escaped and HTML-escaped forms (how they appear inside stored JSON and rendered mail).
 */
function freeTextTerms(ctx: ErasureContext): [string, string][] {
  const pairs: [string, string][] = [[ctx.user.email, ctx.pseudonymEmail]];
  if (ctx.user.name.trim().length >= MIN_NAME_LENGTH) pairs.push([ctx.user.name.trim(), ctx.pseudonymName]);
  const html = (t: string) =>
    t.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
  const json = (t: string) => JSON.stringify(t).slice(1, -1);
  const all = pairs.flatMap(
    ([term, by]) =>
      [
        [term, by],
        [json(term), by],
        [html(term), by],
      ] as [string, string][],
  );
  return [...new Map(all.map(([t, b]) => [t, [t, b] as [string, string]])).values()];
}

type AnyTable = Parameters<Database["update"]>[0];

/** The drizzle property name of `column` in `table` (update().set() takes property names, not SQL names). */
function columnKey(table: AnyTable, column: AnyColumn): string {
  const entry = Object.entries(getTableColumns(table)).find(([, value]) => value === column);
  if (!entry) throw new Error(`column ${column.name} is not in the table`);
  return entry[0];
}

/** One UPDATE per (column, term): replace() the term in that column wherever it occurs (case as stored). */
function replaceInColumns(database: Database, table: AnyTable, columns: AnyColumn[], ctx: ErasureContext) {
  return columns.flatMap((column) =>
    freeTextTerms(ctx).map(([term, by]) =>
      database
        .update(table)
        .set({ [columnKey(table, column)]: sql`replace(${column}, ${term}, ${by})` })
        .where(sql`instr(${column}, ${term}) > 0`),
    ),
  );
}

export const ERASURE_STEPS: ErasureStep[] = [
  {
    name: "profile",
    statements: async (database, { user, pseudonymEmail, pseudonymName, now }) => [
      database
        .update(users)
        .set({
          email: pseudonymEmail,
          name: pseudonymName,
          passwordHash: ERASED_PASSWORD_HASH,
          company: null,
          industry: null,
          mfaEnabled: false,
          mfaSecretSealed: null,
          mfaLastStep: null,
          phone: null,
          phoneVerifiedAt: null,
          avatarKey: null,
          deletedAt: now,
          updatedAt: now,
        })
        .where(eq(users.id, user.id)),
    ],
  },
  {
    name: "payoutAccount",
    statements: async (database, { user, now }) => [
      database
        .update(users)
        .set({ ...NO_PAYOUT_ACCOUNT, updatedAt: now })
        .where(eq(users.id, user.id)),
    ],
  },
  {
    name: "credentials",
    statements: async (database, { user, now }) => [
      database
        .update(sessions)
        .set({ revokedAt: now, revokedReason: "deleted" })
        .where(and(eq(sessions.userId, user.id), isNull(sessions.revokedAt))),
      // Where and on what they signed in from is personal data too.
      database.update(sessions).set({ ip: null, userAgent: null }).where(eq(sessions.userId, user.id)),
      database
        .update(apiKeys)
        .set({ revokedAt: now })
        .where(and(eq(apiKeys.userId, user.id), isNull(apiKeys.revokedAt))),
      database.delete(mfaRecoveryCodes).where(eq(mfaRecoveryCodes.userId, user.id)),
      database.delete(emailVerifications).where(eq(emailVerifications.userId, user.id)),
      database.delete(passwordResets).where(eq(passwordResets.userId, user.id)),
      // Partner OAuth: authorizations end, the user's own applications are deleted (their tokens die with them).
      ...eraseOAuthStatements(database, user.id, now),
      // Linked sign-in providers: an erased account can no longer be reached through them.
      database.delete(userIdentities).where(eq(userIdentities.userId, user.id)),
      database.delete(loginChallenges).where(eq(loginChallenges.userId, user.id)),
      database.delete(oidcFlows).where(eq(oidcFlows.linkUserId, user.id)),
    ],
  },
  {
    name: "teams",
    // Leave every team (see leaveTeamsStatements). Invitations to the old address go; accepted ones keep the pseudonym.
    statements: async (database, { user, pseudonymEmail, now }) => [
      ...(await leaveTeamsStatements(database, user.id, now)),
      database
        .delete(teamInvitations)
        .where(and(eq(teamInvitations.email, user.email), isNull(teamInvitations.acceptedAt))),
      database.update(teamInvitations).set({ email: pseudonymEmail }).where(eq(teamInvitations.email, user.email)),
    ],
  },
  {
    name: "audit",
    // Entries stay (security record, under the pseudonymous id) without where the person connected from; their
    // address or name in any entry's details (e.g. an invitation sent to it) is replaced by the pseudonym.
    statements: async (database, ctx) => [
      database.update(auditLogs).set({ ip: null, userAgent: null }).where(eq(auditLogs.actorId, ctx.user.id)),
      ...replaceInColumns(database, auditLogs, [auditLogs.data], ctx),
    ],
  },
  {
    name: "preferences",
    statements: async (database, { user }) => [
      database.delete(notificationPreferences).where(eq(notificationPreferences.userId, user.id)),
    ],
  },
  {
    name: "emails",
    // The delivery log keeps that an email was sent, not to whom or with what; the dev mailbox forgets it.
    // Emails still queued are cancelled (the send job finds them failed, and their data gone). Mail to others that
    // named the person (a "signed by" notice) keeps its log entry with the name and address replaced.
    statements: async (database, ctx) => {
      const { user, pseudonymEmail, now } = ctx;
      const theirs = or(eq(emailDeliveries.userId, user.id), eq(emailDeliveries.to, user.email));
      return [
        database
          .update(emailDeliveries)
          .set({ status: "failed", lastError: "recipient erased", failedAt: now, updatedAt: now })
          .where(and(theirs, eq(emailDeliveries.status, "queued"))),
        database.update(emailDeliveries).set({ to: pseudonymEmail, data: "{}", subject: null }).where(theirs),
        database.delete(devMailbox).where(eq(devMailbox.to, user.email)),
        ...replaceInColumns(database, emailDeliveries, [emailDeliveries.data, emailDeliveries.subject], ctx),
        ...replaceInColumns(database, devMailbox, [devMailbox.subject, devMailbox.text, devMailbox.html], ctx),
      ];
    },
  },
  {
    name: "contracts",
    // Contract rows others rely on stay and keep the pseudonymous owner id; shares to the old address point at the pseudonym.
    // Signer rows (name, email) are the signing record of the contract's room, pseudonymised by the contracts module.
    statements: async (database, { user, pseudonymEmail }) => [
      database.update(contractShares).set({ email: pseudonymEmail }).where(eq(contractShares.email, user.email)),
      database.delete(savedSearches).where(eq(savedSearches.userId, user.id)),
    ],
  },
  {
    // The user's inbox: nobody else reads it.
    name: "notifications",
    statements: async (database, { user }) => [database.delete(notifications).where(eq(notifications.userId, user.id))],
  },
  {
    // Endpoints stop receiving (and their delivery history, which belongs to them, goes with them).
    name: "webhookEndpoints",
    statements: async (database, { user }) => {
      const endpoints = await database
        .select({ id: webhookEndpoints.id })
        .from(webhookEndpoints)
        .where(eq(webhookEndpoints.userId, user.id))
        .all();
      return endpoints.flatMap((e) => [...deleteEndpointStatements(database, e.id)]);
    },
  },
  {
    // E-signature consents stay as the record that consent was given (what, when, which wording, which contract,
    // under the pseudonymous id): evidence for the signed records others rely on (GDPR Art. 17(3)(b), (e)). The
    // address, IP and user agent are cleared — the certificate of completion already issued keeps the signing
    // evidence the law requires. Notification choices mean nothing without the account: they go.
    name: "consents",
    statements: async (database, { user, pseudonymEmail }) => [
      database
        .delete(consentRecords)
        .where(and(eq(consentRecords.userId, user.id), eq(consentRecords.kind, "notifications"))),
      database
        .update(consentRecords)
        .set({ email: pseudonymEmail, ip: null, userAgent: null })
        .where(or(eq(consentRecords.userId, user.id), eq(consentRecords.email, user.email))),
    ],
  },
  {
    // Export files are removed by the expiry cron within minutes (their expiry moves to now); a job still writing
    // one finds the export failed and discards its file.
    name: "dataExports",
    statements: async (database, { user, now }) => [
      database
        .update(dataExports)
        .set({ status: "failed", error: "account erased", updatedAt: now })
        .where(and(eq(dataExports.userId, user.id), inArray(dataExports.status, ["queued", "running"]))),
      database
        .update(dataExports)
        .set({ expiresAt: now, updatedAt: now })
        .where(and(eq(dataExports.userId, user.id), ne(dataExports.status, "expired"))),
    ],
  },
  {
    // The user's own approval rules go; other owners' rules naming the old address as approver get the pseudonym.
    name: "workflows",
    statements: async (database, { user, pseudonymEmail }) => [
      database.delete(workflows).where(eq(workflows.ownerId, user.id)),
      database
        .update(workflows)
        .set({
          approvers: sql`replace(${workflows.approvers}, ${JSON.stringify(user.email)}, ${JSON.stringify(pseudonymEmail)})`,
        })
        .where(sql`instr(${workflows.approvers}, ${JSON.stringify(user.email)}) > 0`),
    ],
  },
];

/** Every statement of the erasure, to run in one D1 batch (all of it happens, or none). */
export async function erasureStatements(database: Database, ctx: ErasureContext): Promise<BatchItem<"sqlite">[]> {
  const parts = await Promise.all(ERASURE_STEPS.map((step) => step.statements(database, ctx)));
  return parts.flat();
}

// ---- retiring an unverified account ----

/**
 * What the mailbox's owner takes over when they prove the address of an account that was never verified (a password
 * reset, or the emailed verification code — both prove the mailbox the same way, and both call this): the account
 * stays theirs (contracts, teams, name), but every way in and every outward channel that its unverified holder could
 * have set up goes — whoever typed the address may not be the person who reads its mail (account pre-hijacking: a
 * squatter's API key, linked sign-in provider, MFA secret, webhook endpoint, phone, approval rules that put an
 * approver on every contract, open team invitations).
 * @returns statements for the caller's own batch, placed BEFORE the statement that marks the address verified (the
 *   profile update is guarded on `email_verified_at IS NULL`); they change nothing the owner needs to log in with
 *   the new password
 */
export async function claimUnverifiedStatements(database: Database, user: UserRow, now: string) {
  const byName = (name: string) => ERASURE_STEPS.find((step) => step.name === name)!;
  // The webhook step reads only the user's id: the account keeps its address and name.
  const ctx: ErasureContext = { user, pseudonymEmail: user.email, pseudonymName: user.name, now };
  const endpoints = await byName("webhookEndpoints").statements(database, ctx);
  return [
    database
      .update(users)
      .set({ mfaEnabled: false, mfaSecretSealed: null, mfaLastStep: null, phone: null, phoneVerifiedAt: null })
      .where(and(eq(users.id, user.id), isNull(users.emailVerifiedAt))),
    database.delete(mfaRecoveryCodes).where(eq(mfaRecoveryCodes.userId, user.id)),
    database
      .update(apiKeys)
      .set({ revokedAt: now })
      .where(and(eq(apiKeys.userId, user.id), isNull(apiKeys.revokedAt))),
    ...eraseOAuthStatements(database, user.id, now),
    database.delete(userIdentities).where(eq(userIdentities.userId, user.id)),
    database.delete(loginChallenges).where(eq(loginChallenges.userId, user.id)),
    database.delete(oidcFlows).where(eq(oidcFlows.linkUserId, user.id)),
    ...endpoints,
    // Approval rules: at send each approver joins the contract ahead of the recipients (src/domain/routing.ts), so a
    // squatter's "any contract → approver squatter@…" would receive and hold every contract the owner sends.
    database.delete(workflows).where(eq(workflows.ownerId, user.id)),
    // Open invitations into the account's teams would admit whoever the squatter chose once accepted. Members
    // already admitted stay (README "Verified email": a known limit the owner sees in the team's member list).
    revokeInvitationsSentFromStatement(database, user.id, now),
  ] as BatchItem<"sqlite">[];
}

/**
 * Retires an account that never proved its address (a second registration of the address, or 7 days passed):
 * the account is closed like an erasure, but what is addressed to the EMAIL (shares, team invitations, mail to
 * it) stays, because it belongs to whoever owns the mailbox, not to this account.
 * @returns `claim`, the profile update guarded on `email_verified_at IS NULL` and the current address (it changes
 *   no row when the account verified meanwhile), and `rest`, the other statements. Run them in one batch with the
 *   statement that needs the address (the new account's insert: it then fails on the unique address and the
 *   whole batch rolls back), or run `claim` alone first and `rest` only when it changed a row.
 */
export async function retireUnverifiedStatements(database: Database, user: UserRow, now: string) {
  const pseudonym = pseudonymFor(user.id);
  const byName = (name: string) => ERASURE_STEPS.find((step) => step.name === name)!;
  const ctx: ErasureContext = { user, pseudonymEmail: pseudonym.email, pseudonymName: pseudonym.name, now };
  const [credentials, preferences] = await Promise.all(
    [byName("credentials"), byName("preferences")].map((s) => s.statements(database, ctx)),
  );
  const claim = database
    .update(users)
    .set({
      email: pseudonym.email,
      name: pseudonym.name,
      passwordHash: ERASED_PASSWORD_HASH,
      company: null,
      industry: null,
      mfaEnabled: false,
      mfaSecretSealed: null,
      mfaLastStep: null,
      avatarKey: null,
      ...NO_PAYOUT_ACCOUNT,
      deletedAt: now,
      updatedAt: now,
    })
    .where(
      and(eq(users.id, user.id), eq(users.email, user.email), isNull(users.emailVerifiedAt), isNull(users.deletedAt)),
    )
    .returning({ id: users.id });
  const rest: BatchItem<"sqlite">[] = [
    ...credentials!,
    ...preferences!,
    ...(await leaveTeamsStatements(database, user.id, now)),
    // Emails this account caused (its codes, its notices) stop; mail to the address from others does not.
    database
      .update(emailDeliveries)
      .set({ status: "failed", lastError: "account retired unverified", failedAt: now, updatedAt: now })
      .where(and(eq(emailDeliveries.userId, user.id), eq(emailDeliveries.status, "queued"))),
    database.delete(savedSearches).where(eq(savedSearches.userId, user.id)),
  ];
  return { claim, rest };
}
