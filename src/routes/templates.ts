// /templates: reusable contract bodies with `{{variable}}` placeholders; each PUT is a new version. Visible to
// their owner, their team (members edit, viewers read), admins, and everyone for the shipped starter templates.
import { createRoute, z } from "@hono/zod-openapi";
import { and, count, desc, eq, or, sql } from "drizzle-orm";
import { createRouter } from "../lib/router";
import { envelope, errorResponses, jsonBody, jsonContent, listEnvelope } from "../lib/openapi";
import { ok } from "../lib/respond";
import { pageQuery, pageWindow, paginated } from "../lib/pagination";
import { ApiError, fail } from "../lib/errors";
import { principalOf, requireScope } from "../lib/auth";
import { newId } from "../lib/ids";
import type { Bindings, Principal } from "../env";
import { db } from "../db/client";
import { templates, templateVersions } from "../db/schema/templates";
import { ensureStarterTemplates, templateVersionsOf, visibleTemplate, visibleTemplates, type TemplateRow } from "../db/templates";
import { teamRoleOf } from "../db/teams";
import { atLeast } from "../domain/team-roles";
import { templateProblems, VARIABLE_NAME } from "../domain/templates";

const variableSchema = z
  .object({
    name: z.string().regex(VARIABLE_NAME, "letters, digits, _ and . (starting with a letter or _)"),
    label: z.string().trim().min(1).max(200).optional(),
    required: z.boolean().optional(),
    default: z.string().max(10_000).optional(),
  })
  .openapi("TemplateVariable");

const templateBody = z
  .object({
    name: z.string().trim().min(1).max(200),
    description: z.string().max(2_000).nullable().optional(),
    category: z.string().trim().min(1).max(100).nullable().optional(),
    contractType: z.string().trim().min(1).max(60).openapi({ example: "nda" }),
    body: z.string().min(1).max(100_000),
    variables: z.array(variableSchema).max(100).default([]),
    teamId: z.string().regex(/^team_[0-9A-Za-z]{20}$/, "expected a team_ id").nullable().optional(),
  })
  .openapi("TemplateInput");

const templateSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    category: z.string().nullable(),
    contractType: z.string(),
    body: z.string(),
    variables: z.array(variableSchema),
    version: z.number().int(),
    ownerId: z.string().nullable(),
    teamId: z.string().nullable(),
    starter: z.boolean(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Template");

const templateVersionSchema = z
  .object({
    version: z.number().int(),
    name: z.string(),
    description: z.string().nullable(),
    category: z.string().nullable(),
    contractType: z.string(),
    body: z.string(),
    variables: z.array(variableSchema),
    authorId: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi("TemplateVersion");

const idParam = z.object({
  id: z.string().regex(/^tpl_[0-9A-Za-z]{20}$/, "expected a tpl_ id").openapi({ param: { name: "id", in: "path" } }),
});

const read = { tags: ["Templates"], middleware: [requireScope("templates:read")], security: [{ bearer: [] }] };
const write = { tags: ["Templates"], middleware: [requireScope("templates:write")], security: [{ bearer: [] }] };

const createTemplateRoute = createRoute({
  ...write,
  method: "post",
  path: "/templates",
  summary: "Create a template (optionally shared with a team)",
  request: { body: jsonBody(templateBody) },
  responses: { 201: jsonContent(envelope(templateSchema), "created"), ...errorResponses("AUTH003", "AUTH004", "RES001") },
});
const listTemplatesRoute = createRoute({
  ...read,
  method: "get",
  path: "/templates",
  summary: "Templates the caller may use: their own, their teams', the starters",
  request: {
    query: pageQuery.extend({
      category: z.string().trim().min(1).max(100).optional(),
      q: z.string().trim().min(1).max(200).optional(),
      starter: z.enum(["true", "false"]).optional(),
    }),
  },
  responses: { 200: jsonContent(listEnvelope(templateSchema), "a page of templates"), ...errorResponses("AUTH004") },
});
const getTemplateRoute = createRoute({
  ...read,
  method: "get",
  path: "/templates/{id}",
  summary: "One template",
  request: { params: idParam },
  responses: { 200: jsonContent(envelope(templateSchema), "the template"), ...errorResponses("AUTH004", "RES001") },
});
const putTemplateRoute = createRoute({
  ...write,
  method: "put",
  path: "/templates/{id}",
  summary: "Replace a template: a new version",
  request: { params: idParam, body: jsonBody(templateBody) },
  responses: { 200: jsonContent(envelope(templateSchema), "the new version"), ...errorResponses("AUTH003", "AUTH004", "RES001") },
});
const versionsRoute = createRoute({
  ...read,
  method: "get",
  path: "/templates/{id}/versions",
  summary: "Every version of a template, oldest first",
  request: { params: idParam },
  responses: { 200: jsonContent(envelope(z.array(templateVersionSchema)), "versions"), ...errorResponses("AUTH004", "RES001") },
});

function templateView(row: TemplateRow) {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    category: row.category,
    contractType: row.contractType,
    body: row.body,
    variables: row.variables,
    version: row.version,
    ownerId: row.ownerId,
    teamId: row.teamId,
    starter: row.starter,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/** Validates the definition (placeholders declared, names unique) and the team the caller shares it with. */
async function checkDefinition(env: Bindings, principal: Principal, input: z.infer<typeof templateBody>) {
  const problems = templateProblems(input.body, input.variables);
  if (problems.length) throw fail.invalid(problems);
  if (input.teamId) {
    const role = await teamRoleOf(db(env.DB), input.teamId, principal.userId);
    if (!role) throw fail.notFound("Team");
    if (!atLeast(role, "member")) throw new ApiError("AUTH003", "Team viewers cannot share templates with the team");
  }
}

const fields = (input: z.infer<typeof templateBody>) => ({
  name: input.name,
  description: input.description ?? null,
  category: input.category ?? null,
  contractType: input.contractType,
  body: input.body,
  variables: input.variables,
});

export const templateRoutes = createRouter()
  .openapi(createTemplateRoute, async (c) => {
    const principal = principalOf(c);
    const input = c.req.valid("json");
    await checkDefinition(c.env, principal, input);
    const database = db(c.env.DB);
    const at = new Date().toISOString();
    const row: TemplateRow = {
      id: newId("tpl"),
      ownerId: principal.userId,
      teamId: input.teamId ?? null,
      ...fields(input),
      version: 1,
      starter: false,
      createdAt: at,
      updatedAt: at,
    };
    await database.batch([
      database.insert(templates).values(row),
      database.insert(templateVersions).values({ templateId: row.id, version: 1, ...fields(input), authorId: principal.userId, createdAt: at }),
    ]);
    return ok(c, templateView(row), 201);
  })
  .openapi(listTemplatesRoute, async (c) => {
    const principal = principalOf(c);
    const { page, perPage, category, q, starter } = c.req.valid("query");
    const database = db(c.env.DB);
    await ensureStarterTemplates(database);
    const pattern = q ? `%${q.replace(/[%_\\]/g, (ch) => `\\${ch}`)}%` : null;
    const where = and(
      visibleTemplates(principal),
      category ? eq(templates.category, category) : undefined,
      starter ? eq(templates.starter, starter === "true") : undefined,
      pattern ? or(sql`${templates.name} LIKE ${pattern} ESCAPE '\\'`, sql`${templates.description} LIKE ${pattern} ESCAPE '\\'`) : undefined,
    );
    const { limit, offset } = pageWindow({ page, perPage });
    const [rows, total] = await Promise.all([
      database.select().from(templates).where(where).orderBy(desc(templates.updatedAt), desc(templates.id)).limit(limit).offset(offset).all(),
      database.select({ n: count() }).from(templates).where(where).get(),
    ]);
    return paginated(c, rows.map(templateView), { page, perPage }, total?.n ?? 0);
  })
  .openapi(getTemplateRoute, async (c) => {
    const { row } = await visibleTemplate(db(c.env.DB), principalOf(c), c.req.valid("param").id);
    return ok(c, templateView(row), 200);
  })
  .openapi(putTemplateRoute, async (c) => {
    const principal = principalOf(c);
    const input = c.req.valid("json");
    const database = db(c.env.DB);
    const { row, access } = await visibleTemplate(database, principal, c.req.valid("param").id);
    if (access !== "edit") {
      throw new ApiError("AUTH003", row.starter ? "Starter templates are read-only; create your own from one" : "You may only view this template");
    }
    if (input.teamId !== undefined && input.teamId !== row.teamId && row.ownerId !== principal.userId) {
      throw new ApiError("AUTH003", "Only the template's owner may change whom it is shared with");
    }
    await checkDefinition(c.env, principal, input);
    const at = new Date().toISOString();
    const version = row.version + 1;
    // The version check makes two simultaneous PUTs conflict instead of one silently overwriting the other.
    const [updated] = await database.batch([
      database
        .update(templates)
        .set({ ...fields(input), teamId: input.teamId === undefined ? row.teamId : input.teamId, version, updatedAt: at })
        .where(and(eq(templates.id, row.id), eq(templates.version, row.version)))
        .returning(),
      database.insert(templateVersions).values({ templateId: row.id, version, ...fields(input), authorId: principal.userId, createdAt: at }).onConflictDoNothing(),
    ]);
    const next = updated[0];
    if (!next) throw fail.conflict("The template was changed meanwhile; reload and retry");
    return ok(c, templateView(next), 200);
  })
  .openapi(versionsRoute, async (c) => {
    const database = db(c.env.DB);
    const { row } = await visibleTemplate(database, principalOf(c), c.req.valid("param").id);
    const versions = await templateVersionsOf(database, row.id);
    return ok(c, versions.map(({ templateId: _t, ...v }) => v), 200);
  });

