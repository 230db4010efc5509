// The checks a template definition passes on create and on each new version: placeholders declared and names
// unique, and the team it is shared with one where the caller may share (member or above).
import type { Bindings, Principal } from "../../env";
import { ApiError, fail } from "../../lib/errors";
import { db } from "../../db/client";
import { teamRoleOf } from "../../db/teams";
import { atLeast } from "../../domain/team-roles";
import { templateProblems } from "../../domain/templates";
import type { TemplateInput } from "../../schemas/templates";

/** @throws VAL001 placeholder problems, RES001 a team the caller is not in, AUTH003 a team viewer sharing */
export async function checkTemplateDefinition(
  env: Bindings,
  principal: Principal,
  input: TemplateInput,
): Promise<void> {
  const problems = templateProblems(input.body, input.variables);
  if (problems.length) throw fail.invalid(problems);
  if (input.teamId) {
    const role = await teamRoleOf(db(env.DB), input.teamId, principal.userId);
    if (!role) throw fail.notFound("Team");
    if (!atLeast(role, "member")) throw new ApiError("AUTH003", "Team viewers cannot share templates with the team");
  }
}
