// Template records in D1: who may see or edit one, the starter seed, versions, and instantiation for contracts.
import { and, count, desc, eq, or, sql, type SQL } from "drizzle-orm";
import { containsText } from "./text-match";
import type { Bindings, Principal } from "../env";
import { fail } from "../lib/errors";
import { db, type Database } from "./client";
import { chunkRows } from "./chunks";
import { templates, templateVersions } from "./schema/templates";
import { teamMembers } from "./schema/teams";
import { renderTemplate } from "../domain/templates";
import { STARTER_TEMPLATES } from "../domain/starter-templates";
import { teamRoleOf } from "./teams";
import { atLeast } from "../domain/team-roles";
import { isAdmin } from "../domain/scopes";

export type TemplateRow = typeof templates.$inferSelect;
export type TemplateAccess = "none" | "view" | "edit";

/**
 * Seeds the starter templates the first time anyone reads templates (cheap check, idempotent insert), so a fresh
 * database and every test database have them without a data migration to keep in sync with the source.
 */
export async function ensureStarterTemplates(database: Database): Promise<void> {
  const present = await database.select({ id: templates.id }).from(templates).where(eq(templates.starter, true)).all();
  if (present.length >= STARTER_TEMPLATES.length) return;
  const at = "2026-01-01T00:00:00.000Z";
  const templateRows = STARTER_TEMPLATES.map((t) => ({
    ...t,
    ownerId: null,
    teamId: null,
    version: 1,
    starter: true,
    createdAt: at,
    updatedAt: at,
  }));
  const versionRows = STARTER_TEMPLATES.map(({ id, ...t }) => ({
    ...t,
    templateId: id,
    version: 1,
    authorId: null,
    createdAt: at,
  }));
  const [first, ...rest] = [
    ...chunkRows(templates, templateRows).map((chunk) =>
      database.insert(templates).values(chunk).onConflictDoNothing(),
    ),
    ...chunkRows(templateVersions, versionRows).map((chunk) =>
      database.insert(templateVersions).values(chunk).onConflictDoNothing(),
    ),
  ];
  if (first) await database.batch([first, ...rest]);
}

/** Pure rule: owner or team member/admin/owner edits; team viewers, everyone for starters, admins view. */
export async function templateAccess(
  database: Database,
  principal: Principal,
  row: TemplateRow,
): Promise<TemplateAccess> {
  let level: TemplateAccess = "none";
  if (row.starter) level = "view";
  if (isAdmin(principal)) level = "view";
  if (row.ownerId === principal.userId) level = "edit";
  else if (row.teamId) {
    const role = await teamRoleOf(database, row.teamId, principal.userId);
    if (role) level = atLeast(role, "member") ? "edit" : "view";
  }
  if (principal.role === "viewer" && level === "edit") level = "view";
  return level;
}

/** The template if the caller may at least see it, else RES001. */
export async function visibleTemplate(database: Database, principal: Principal, id: string) {
  await ensureStarterTemplates(database);
  const row = await database.select().from(templates).where(eq(templates.id, id)).get();
  if (!row) throw fail.notFound("Template");
  const access = await templateAccess(database, principal, row);
  if (access === "none") throw fail.notFound("Template");
  return { row, access };
}

/** The list filter equivalent to templateAccess !== "none". */
export function visibleTemplates(principal: Principal): SQL | undefined {
  if (isAdmin(principal)) return undefined;
  return or(
    eq(templates.starter, true),
    eq(templates.ownerId, principal.userId),
    sql`${templates.teamId} IN (SELECT ${teamMembers.teamId} FROM ${teamMembers} WHERE ${teamMembers.userId} = ${principal.userId})`,
  );
}

export function templateVersionsOf(database: Database, id: string) {
  return database
    .select()
    .from(templateVersions)
    .where(eq(templateVersions.templateId, id))
    .orderBy(templateVersions.version)
    .all();
}

/** Renders a visible template for a new contract: required variables checked, defaults applied (VAL001 otherwise). */
export async function instantiateTemplate(
  env: Bindings,
  principal: Principal,
  templateId: string,
  given: Record<string, string>,
): Promise<{
  templateId: string;
  version: number;
  contractType: string;
  body: string;
  variables: Record<string, string>;
}> {
  const { row } = await visibleTemplate(db(env.DB), principal, templateId);
  const rendered = renderTemplate(row.body, row.variables, given);
  return { templateId: row.id, version: row.version, contractType: row.contractType, ...rendered };
}

export type TemplateFields = Pick<
  TemplateRow,
  "name" | "description" | "category" | "contractType" | "body" | "variables"
>;

/** Inserts a new template with its version 1. */
export async function insertTemplate(database: Database, row: TemplateRow, authorId: string): Promise<void> {
  const { name, description, category, contractType, body, variables } = row;
  const fields = { name, description, category, contractType, body, variables };
  await database.batch([
    database.insert(templates).values(row),
    database
      .insert(templateVersions)
      .values({ templateId: row.id, version: 1, ...fields, authorId, createdAt: row.createdAt }),
  ]);
}

/**
 * Writes version `row.version + 1` of a template. The version check makes two simultaneous PUTs conflict instead of
 * one silently overwriting the other.
 * @returns the updated row, or null when the template changed meanwhile
 */
export async function updateTemplateVersion(
  database: Database,
  row: Pick<TemplateRow, "id" | "version">,
  change: TemplateFields & { teamId: string | null },
  authorId: string,
  at: string,
): Promise<TemplateRow | null> {
  const version = row.version + 1;
  const { teamId, ...fields } = change;
  const [updated] = await database.batch([
    database
      .update(templates)
      .set({ ...fields, teamId, version, updatedAt: at })
      .where(and(eq(templates.id, row.id), eq(templates.version, row.version)))
      .returning(),
    database
      .insert(templateVersions)
      .values({ templateId: row.id, version, ...fields, authorId, createdAt: at })
      .onConflictDoNothing(),
  ]);
  return updated[0] ?? null;
}

/** A page of the templates the principal may see, newest first, with the total. */
export async function listVisibleTemplates(
  database: Database,
  principal: Principal,
  filter: { category?: string; q?: string; starter?: boolean },
  limit: number,
  offset: number,
): Promise<{ rows: TemplateRow[]; total: number }> {
  await ensureStarterTemplates(database);
  const where = and(
    visibleTemplates(principal),
    filter.category ? eq(templates.category, filter.category) : undefined,
    filter.starter !== undefined ? eq(templates.starter, filter.starter) : undefined,
    filter.q ? or(containsText(templates.name, filter.q), containsText(templates.description, filter.q)) : undefined,
  );
  const [rows, total] = await Promise.all([
    database
      .select()
      .from(templates)
      .where(where)
      .orderBy(desc(templates.updatedAt), desc(templates.id))
      .limit(limit)
      .offset(offset)
      .all(),
    database.select({ n: count() }).from(templates).where(where).get(),
  ]);
  return { rows, total: total?.n ?? 0 };
}
