// Team views shared by the team and team-invitation routes.
import { z } from "@hono/zod-openapi";
import { isoDate } from "../lib/openapi";
import { TEAM_ROLES } from "../domain/team-roles";

export const memberSchema = z
  .object({ userId: z.string(), name: z.string(), email: z.string(), role: z.enum(TEAM_ROLES), joinedAt: isoDate })
  .openapi("TeamMember");
