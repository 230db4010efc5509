// /teams: teams and their members (owner|admin|member|viewer); invitations live in team-invitations.ts.
// Who may do what is decided by src/domain/team-roles.ts; a non-member sees RES001, a member without the right AUTH003.
import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "../lib/router";
import { answers, envelope, isoDate, jsonBody, listEnvelope, pathParam, deletedSchema } from "../lib/openapi";
import { ok } from "../lib/respond";
import { pageQuery, pageWindow, paginated } from "../lib/pagination";
import { fail } from "../lib/errors";
import { principalOf } from "../lib/auth";
import { newId } from "../lib/ids";
import { db } from "../db/client";
import {
  createTeamWithOwner,
  deleteTeam,
  listMembers,
  listTeamsOf,
  memberCount,
  updateTeam,
  type TeamRow,
} from "../db/teams";
import { TEAM_ROLES, canDeleteTeam, canUpdateTeam, type TeamRole } from "../domain/team-roles";
import { memberSchema } from "../schemas/teams";
import { requestOrigin } from "../lib/audit";
import { viewPicker } from "../lib/view";
import { changeMemberRole } from "../services/teams/change-member-role";
import { removeMember } from "../services/teams/remove-member";
import {
  teamAudit as audit,
  teamForMember,
  teamParams,
  teamRead as read,
  teamWrite as write,
} from "../lib/team-access";
import { noBidiControls } from "../domain/one-line-text";

const teamSchema = z
  .object({
    id: z.string().openapi({ example: "team_7hJk2LmN4pQr6StU8vWx" }),
    name: z.string(),
    description: z.string().nullable(),
    createdBy: z.string(),
    createdAt: isoDate,
    updatedAt: isoDate,
    role: z.enum(TEAM_ROLES).openapi({ description: "the caller's role in the team" }),
  })
  .openapi("Team");
const teamDetailSchema = teamSchema.extend({ memberCount: z.number().int() }).openapi("TeamDetail");

const teamBody = z
  .object({
    name: z.string().trim().min(1).max(100).superRefine(noBidiControls),
    description: z.string().trim().max(1000).nullable().optional(),
  })
  .openapi("TeamInput");
const teamUpdateBody = teamBody
  .partial()
  .refine((b) => b.name !== undefined || b.description !== undefined, "give name or description")
  .openapi("TeamUpdate");
const roleBody = z.object({ role: z.enum(TEAM_ROLES) }).openapi("TeamRoleChange");

const memberParams = z.object({ id: pathParam("id"), userId: pathParam("userId") });

const teamFields = viewPicker(teamSchema);
const teamView = (team: TeamRow, role: TeamRole) => teamFields({ ...team, role });
const createTeamRoute = createRoute({
  ...write,
  method: "post",
  path: "/teams",
  summary: "Create a team (the caller becomes its owner)",
  request: { body: jsonBody(teamBody) },
  responses: answers(201, envelope(teamSchema), "created", "AUTH003", "AUTH004"),
});

const listTeamsRoute = createRoute({
  ...read,
  method: "get",
  path: "/teams",
  summary: "The teams the caller belongs to",
  request: { query: pageQuery },
  responses: answers(200, listEnvelope(teamSchema), "teams, newest first", "AUTH003", "AUTH004"),
});

const getTeamRoute = createRoute({
  ...read,
  method: "get",
  path: "/teams/{id}",
  summary: "A team the caller belongs to",
  request: { params: teamParams },
  responses: answers(200, envelope(teamDetailSchema), "the team", "AUTH003", "AUTH004", "RES001"),
});

const updateTeamRoute = createRoute({
  ...write,
  method: "put",
  path: "/teams/{id}",
  summary: "Rename or describe a team (owners and admins)",
  request: { params: teamParams, body: jsonBody(teamUpdateBody) },
  responses: answers(200, envelope(teamSchema), "updated", "AUTH003", "AUTH004", "RES001"),
});

const deleteTeamRoute = createRoute({
  ...write,
  method: "delete",
  path: "/teams/{id}",
  summary: "Delete a team with its memberships and invitations (owners)",
  request: { params: teamParams },
  responses: answers(200, envelope(deletedSchema), "deleted", "AUTH003", "AUTH004", "RES001"),
});

const listMembersRoute = createRoute({
  ...read,
  method: "get",
  path: "/teams/{id}/members",
  summary: "Members of a team",
  request: { params: teamParams, query: pageQuery },
  responses: answers(200, listEnvelope(memberSchema), "members, oldest first", "AUTH003", "AUTH004", "RES001"),
});

const changeRoleRoute = createRoute({
  ...write,
  method: "put",
  path: "/teams/{id}/members/{userId}",
  summary: "Change a member's role",
  request: { params: memberParams, body: jsonBody(roleBody) },
  responses: answers(200, envelope(memberSchema), "updated", "AUTH003", "AUTH004", "RES001", "RES002"),
});

const removeMemberRoute = createRoute({
  ...write,
  method: "delete",
  path: "/teams/{id}/members/{userId}",
  summary: "Remove a member, or leave the team (your own user id)",
  request: { params: memberParams },
  responses: answers(
    200,
    envelope(z.object({ teamId: z.string(), userId: z.string(), removed: z.literal(true) })),
    "removed",
    "AUTH003",
    "AUTH004",
    "RES001",
    "RES002",
  ),
});

export const teamRoutes = createRouter()
  .openapi(createTeamRoute, async (c) => {
    const principal = principalOf(c);
    const body = c.req.valid("json");
    const database = db(c.env.DB);
    const now = new Date();
    const at = now.toISOString();
    const team: TeamRow = {
      id: newId("team"),
      name: body.name,
      description: body.description ?? null,
      createdBy: principal.userId,
      createdAt: at,
      updatedAt: at,
    };
    const entry = {
      action: "team.created" as const,
      actorId: principal.userId,
      resourceType: "team",
      resourceId: team.id,
      data: { name: team.name },
    };
    await createTeamWithOwner(database, team, audit(c, entry, now));
    return ok(c, teamView(team, "owner"), 201);
  })
  .openapi(listTeamsRoute, async (c) => {
    const principal = principalOf(c);
    const query = c.req.valid("query");
    const { limit, offset } = pageWindow(query);
    const { items, total } = await listTeamsOf(db(c.env.DB), principal.userId, limit, offset);
    return paginated(
      c,
      items.map((i) => teamView(i.team, i.role)),
      query,
      total,
    );
  })
  .openapi(getTeamRoute, async (c) => {
    const principal = principalOf(c);
    const database = db(c.env.DB);
    const { team, role } = await teamForMember(database, c.req.valid("param").id, principal.userId);
    return ok(c, { ...teamView(team, role), memberCount: await memberCount(database, team.id) });
  })
  .openapi(updateTeamRoute, async (c) => {
    const principal = principalOf(c);
    const body = c.req.valid("json");
    const database = db(c.env.DB);
    const { team, role } = await teamForMember(database, c.req.valid("param").id, principal.userId);
    if (!canUpdateTeam(role)) throw fail.forbidden("Only the team's owners and admins can change it");
    const now = new Date();
    const changes = {
      ...(body.name !== undefined ? { name: body.name } : {}),
      ...(body.description !== undefined ? { description: body.description } : {}),
      updatedAt: now.toISOString(),
    };
    const fields = Object.keys(changes).filter((k) => k !== "updatedAt");
    const entry = {
      action: "team.updated" as const,
      actorId: principal.userId,
      resourceType: "team",
      resourceId: team.id,
      data: { fields },
    };
    await updateTeam(database, team.id, changes, audit(c, entry, now));
    return ok(c, teamView({ ...team, ...changes }, role));
  })
  .openapi(deleteTeamRoute, async (c) => {
    const principal = principalOf(c);
    const database = db(c.env.DB);
    const { team, role } = await teamForMember(database, c.req.valid("param").id, principal.userId);
    if (!canDeleteTeam(role)) throw fail.forbidden("Only the team's owners can delete it");
    const now = new Date();
    const entry = {
      action: "team.deleted" as const,
      actorId: principal.userId,
      resourceType: "team",
      resourceId: team.id,
      data: { name: team.name },
    };
    await deleteTeam(database, team.id, audit(c, entry, now));
    return ok(c, { id: team.id, deleted: true as const });
  })
  .openapi(listMembersRoute, async (c) => {
    const principal = principalOf(c);
    const query = c.req.valid("query");
    const database = db(c.env.DB);
    const { team } = await teamForMember(database, c.req.valid("param").id, principal.userId);
    const { limit, offset } = pageWindow(query);
    const { items, total } = await listMembers(database, team.id, limit, offset);
    return paginated(c, items, query, total);
  })
  .openapi(changeRoleRoute, async (c) => {
    const principal = principalOf(c);
    const { id, userId } = c.req.valid("param");
    const { role: to } = c.req.valid("json");
    const { team, role } = await teamForMember(db(c.env.DB), id, principal.userId);
    const actor = { userId: principal.userId, role, ...requestOrigin(c) };
    return ok(c, await changeMemberRole(c.env, actor, { teamId: team.id, userId, role: to }));
  })
  .openapi(removeMemberRoute, async (c) => {
    const principal = principalOf(c);
    const { id, userId } = c.req.valid("param");
    const { team, role } = await teamForMember(db(c.env.DB), id, principal.userId);
    const actor = { userId: principal.userId, role, ...requestOrigin(c) };
    return ok(c, await removeMember(c.env, actor, { teamId: team.id, userId }));
  });
