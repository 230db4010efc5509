// Creating a template (optionally shared with a team): the definition checked, the row and its version 1 written.
import type { Bindings, Principal } from "../../env";
import { newId } from "../../lib/ids";
import { db } from "../../db/client";
import { insertTemplate, type TemplateRow } from "../../db/templates";
import { templateType, type TemplateInput } from "../../schemas/templates";
import { checkTemplateDefinition } from "./check-definition";

/**
 * @returns the new template (version 1), owned by the caller
 * @throws VAL001, RES001, AUTH003 as checkTemplateDefinition
 */
export async function createTemplate(env: Bindings, principal: Principal, input: TemplateInput): Promise<TemplateRow> {
  await checkTemplateDefinition(env, principal, input);
  const at = new Date().toISOString();
  const row: TemplateRow = {
    id: newId("tpl"),
    ownerId: principal.userId,
    teamId: input.teamId ?? null,
    name: input.name,
    description: input.description ?? null,
    category: input.category ?? null,
    contractType: templateType(input),
    body: input.body,
    variables: input.variables,
    version: 1,
    starter: false,
    createdAt: at,
    updatedAt: at,
  };
  await insertTemplate(db(env.DB), row, principal.userId);
  return row;
}
