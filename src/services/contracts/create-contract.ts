// Creating a draft contract: a team contract needs a team member, a template's body and variables are rendered
// (the template's type is the default), then the contract's ContractRoom creates it (its single writer).
import type { z } from "@hono/zod-openapi";
import type { Bindings, Principal } from "../../env";
import { db } from "../../db/client";
import { teamRoleOf } from "../../db/teams";
import { instantiateTemplate } from "../../db/templates";
import { ApiError, fail } from "../../lib/errors";
import { newId } from "../../lib/ids";
import { atLeast } from "../../domain/team-roles";
import { duplicateSignerDetails } from "../../domain/contract-machine";
import type { createContractBody } from "../../schemas/contracts";
import { contractRoom } from "../../../durable-objects/contract-room";
import { unwrap } from "../../../durable-objects/lib/rpc-result";

export type CreateContractInput = z.infer<typeof createContractBody>;

/** A team contract: the caller must be at least a member of that team. */
async function checkTeam(env: Bindings, principal: Principal, teamId: string | undefined) {
  if (!teamId) return;
  const role = await teamRoleOf(db(env.DB), teamId, principal.userId);
  if (!role) throw fail.notFound("Team");
  if (!atLeast(role, "member")) throw new ApiError("AUTH003", "Team viewers cannot create team contracts");
}

/**
 * @returns the new draft's state
 * @throws VAL001 for duplicate signers or a missing type; RES001 for an unknown team or template; AUTH003 for a
 *   team viewer
 */
export async function createContract(env: Bindings, principal: Principal, input: CreateContractInput) {
  const duplicates = duplicateSignerDetails(input.signers ?? []);
  if (duplicates.length) throw fail.invalid(duplicates);
  await checkTeam(env, principal, input.teamId);

  let body = input.body ?? "";
  let variables = input.variables ?? {};
  let type = input.type;
  let template: { templateId: string; templateVersion: number } | null = null;
  if (input.templateId) {
    const rendered = await instantiateTemplate(env, principal, input.templateId, variables);
    body = rendered.body;
    variables = rendered.variables;
    type ??= rendered.contractType;
    template = { templateId: rendered.templateId, templateVersion: rendered.version };
  }
  if (type === undefined) throw fail.invalid([{ path: "type", message: "type is required" }]);

  const id = newId("ctr");
  return unwrap(
    await contractRoom(env, id).create({
      id,
      ownerId: principal.userId,
      teamId: input.teamId ?? null,
      title: input.title,
      type,
      description: input.description ?? null,
      body,
      variables,
      value: input.value ?? null,
      tags: input.tags ?? [],
      category: input.category ?? null,
      expiresAt: input.expiresAt ?? null,
      templateId: template?.templateId ?? null,
      templateVersion: template?.templateVersion ?? null,
      signers: (input.signers ?? []).map((s) => ({ ...s, id: newId("sig") })),
    }),
  );
}
