// /templates: reusable contract bodies with `{{variable}}` placeholders; each PUT is a new version. Visible to
// their owner, their team (members edit, viewers read), admins, and everyone for the shipped starter templates.
import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "../lib/router";
import { answers, bearerRoute, envelope, jsonBody, listEnvelope } from "../lib/openapi";
import { ok } from "../lib/respond";
import { pageQuery, pageWindow, paginated } from "../lib/pagination";
import { principalOf, requireScope } from "../lib/auth";
import { db } from "../db/client";
import { listVisibleTemplates, templateVersionsOf, visibleTemplate } from "../db/templates";
import { templateBody, templateSchema, templateVersionSchema, templateView } from "../schemas/templates";
import { createTemplate } from "../services/templates/create-template";
import { updateTemplate } from "../services/templates/update-template";

const idParam = z.object({
  id: z
    .string()
    .regex(/^tpl_[0-9A-Za-z]{20}$/, "expected a tpl_ id")
    .openapi({ param: { name: "id", in: "path" } }),
});

const read = bearerRoute("Templates", requireScope("templates:read"));
const write = bearerRoute("Templates", requireScope("templates:write"));

const createTemplateRoute = createRoute({
  ...write,
  method: "post",
  path: "/templates",
  summary: "Create a template (optionally shared with a team)",
  request: { body: jsonBody(templateBody) },
  responses: answers(201, envelope(templateSchema), "created", "AUTH003", "AUTH004", "RES001"),
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
  responses: answers(200, listEnvelope(templateSchema), "a page of templates", "AUTH004"),
});
const getTemplateRoute = createRoute({
  ...read,
  method: "get",
  path: "/templates/{id}",
  summary: "One template",
  request: { params: idParam },
  responses: answers(200, envelope(templateSchema), "the template", "AUTH004", "RES001"),
});
const putTemplateRoute = createRoute({
  ...write,
  method: "put",
  path: "/templates/{id}",
  summary: "Replace a template: a new version",
  request: { params: idParam, body: jsonBody(templateBody) },
  responses: answers(200, envelope(templateSchema), "the new version", "AUTH003", "AUTH004", "RES001"),
});
const versionsRoute = createRoute({
  ...read,
  method: "get",
  path: "/templates/{id}/versions",
  summary: "Every version of a template, oldest first",
  request: { params: idParam },
  responses: answers(200, envelope(z.array(templateVersionSchema)), "versions", "AUTH004", "RES001"),
});

export const templateRoutes = createRouter()
  .openapi(createTemplateRoute, async (c) => {
    const row = await createTemplate(c.env, principalOf(c), c.req.valid("json"));
    return ok(c, templateView(row), 201);
  })
  .openapi(listTemplatesRoute, async (c) => {
    const { page, perPage, category, q, starter } = c.req.valid("query");
    const { limit, offset } = pageWindow({ page, perPage });
    const filter = { category, q, starter: starter === undefined ? undefined : starter === "true" };
    const { rows, total } = await listVisibleTemplates(db(c.env.DB), principalOf(c), filter, limit, offset);
    return paginated(c, rows.map(templateView), { page, perPage }, total);
  })
  .openapi(getTemplateRoute, async (c) => {
    const { row } = await visibleTemplate(db(c.env.DB), principalOf(c), c.req.valid("param").id);
    return ok(c, templateView(row), 200);
  })
  .openapi(putTemplateRoute, async (c) => {
    const next = await updateTemplate(c.env, principalOf(c), c.req.valid("param").id, c.req.valid("json"));
    return ok(c, templateView(next), 200);
  })
  .openapi(versionsRoute, async (c) => {
    const database = db(c.env.DB);
    const { row } = await visibleTemplate(database, principalOf(c), c.req.valid("param").id);
    const versions = await templateVersionsOf(database, row.id);
    return ok(
      c,
      versions.map(({ templateId: _t, ...v }) => templateView(v)),
      200,
    );
  });
