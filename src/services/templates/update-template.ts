// Replacing a template: a new version, by whoever may edit it; only its owner changes whom it is shared with;
// starters are read-only; a concurrent replacement conflicts rather than overwriting.
import type { Bindings, Principal } from "../../env";
import { ApiError, fail } from "../../lib/errors";
import { db } from "../../db/client";
import { updateTemplateVersion, visibleTemplate, type TemplateRow } from "../../db/templates";
import { templateType, type TemplateInput } from "../../schemas/templates";
import { checkTemplateDefinition } from "./check-definition";

/**
 * @returns the template at its new version
 * @throws RES001 not visible, AUTH003 view-only / starter / sharing change by a non-owner, VAL001 definition,
 *   RES002 changed meanwhile
 */
export async function updateTemplate(
  env: Bindings,
  principal: Principal,
  id: string,
  input: TemplateInput,
): Promise<TemplateRow> {
  const database = db(env.DB);
  const { row, access } = await visibleTemplate(database, principal, id);
  if (access !== "edit") {
    const why = row.starter
      ? "Starter templates are read-only; create your own from one"
      : "You may only view this template";
    throw new ApiError("AUTH003", why);
  }
  if (input.teamId !== undefined && input.teamId !== row.teamId && row.ownerId !== principal.userId) {
    throw new ApiError("AUTH003", "Only the template's owner may change whom it is shared with");
  }
  await checkTemplateDefinition(env, principal, input);
  const change = {
    name: input.name,
    description: input.description ?? null,
    category: input.category ?? null,
    contractType: templateType(input),
    body: input.body,
    variables: input.variables,
    teamId: input.teamId === undefined ? row.teamId : input.teamId,
  };
  const next = await updateTemplateVersion(database, row, change, principal.userId, new Date().toISOString());
  if (!next) throw fail.conflict("The template was changed meanwhile; reload and retry");
  return next;
}
