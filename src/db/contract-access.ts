// THE place that decides who may see or change a contract: the per-contract check (contractAccess) and the
// equivalent SQL filter for lists (visibleContracts). Routes of drafting, signing and anchoring all use these.
import { eq, or, sql, type SQL } from "drizzle-orm";
import type { Bindings, Principal } from "../env";
import type { Database } from "./client";
import { contracts, contractShares, contractSigners } from "./schema/contracts";
import { teamMembers } from "./schema/teams";
import { users } from "./schema/identity";
import type { TeamRole } from "../domain/team-roles";
import { isAdmin } from "../domain/scopes";
import type { ContractView } from "../domain/contract-view";
import { assembleContract, contractReads } from "./contracts";
import { PreparedRawRead, readBatch } from "./prepared";

export type ContractAccess = "none" | "view" | "edit" | "owner";
const RANK: Record<ContractAccess, number> = { none: 0, view: 1, edit: 2, owner: 3 };

export function atLeastAccess(level: ContractAccess, min: ContractAccess): boolean {
  return RANK[level] >= RANK[min];
}

export interface AccessFacts {
  role: Principal["role"];
  isOwner: boolean;
  /** The caller's role in the contract's team, if the contract belongs to one. */
  teamRole: TeamRole | null;
  sharePermission: "view" | "edit" | null;
  /** A signer, approver or viewer of the contract (matched by verified email). */
  isParty: boolean;
}

/**
 * Pure rule. Owner → owner; team owner/admin → owner, member → edit, viewer → view; share → its permission;
 * parties → view; platform admins → view (they see everything, change nothing of someone else's through these
 * routes). A platform `viewer` never gets more than view.
 */
export function decideAccess(f: AccessFacts): ContractAccess {
  const levels: ContractAccess[] = ["none"];
  if (f.isOwner) levels.push("owner");
  if (f.teamRole === "owner" || f.teamRole === "admin") levels.push("owner");
  if (f.teamRole === "member") levels.push("edit");
  if (f.teamRole === "viewer") levels.push("view");
  if (f.sharePermission) levels.push(f.sharePermission);
  if (f.isParty) levels.push("view");
  if (isAdmin(f)) levels.push("view");
  let best = levels.reduce((a, b) => (RANK[b] > RANK[a] ? b : a));
  if (f.role === "viewer" && RANK[best] > RANK.view) best = "view";
  return best;
}

/** Team roles that give owner access to the team's contracts (decideAccess), and so may share them. */
const TEAM_ROLES_THAT_SHARE: readonly TeamRole[] = ["owner", "admin"];

/**
 * SQL: the share's creator still has the right to share the contract (its owner, or an owner/admin of its team).
 * Checked at use (issue 20, kind 3): a team admin removed or demoted after sharing takes their shares' access
 * with them; nothing needs revoking when the right is lost.
 */
const shareStillGranted = sql`(${contractShares.createdBy} = ${contracts.ownerId}
  OR EXISTS (SELECT 1 FROM ${teamMembers} WHERE ${teamMembers.teamId} = ${contracts.teamId} AND ${teamMembers.userId} = ${contractShares.createdBy}
    AND ${teamMembers.role} IN (${sql.join(
      TEAM_ROLES_THAT_SHARE.map((r) => sql`${r}`),
      sql`, `,
    )})))`;

/** The caller's email when verified: matching parties and shares by an unverified email would leak contracts. */
export async function verifiedEmailOf(database: Database, userId: string): Promise<string | null> {
  const row = await database
    .select({ email: users.email, verifiedAt: users.emailVerifiedAt })
    .from(users)
    .where(eq(users.id, userId))
    .get();
  return row?.verifiedAt ? row.email.toLowerCase() : null;
}

type AccessFactsRow = { owner_id: string; team_role: TeamRole | null; share_rank: number | null; is_party: number };

/**
 * Every fact decideAccess needs in one statement, prepared once per isolate (db/prepared.ts); values `uid` (the
 * caller) and `contractId`. A verified email is required for email matches.
 */
const accessFactsRow = (() => {
  const uid = sql.placeholder("uid");
  const me = sql`(SELECT lower(${users.email}) FROM ${users} WHERE ${users.id} = ${uid} AND ${users.emailVerifiedAt} IS NOT NULL)`;
  return new PreparedRawRead<AccessFactsRow>(sql`
    SELECT ${contracts.ownerId} AS owner_id,
      (SELECT ${teamMembers.role} FROM ${teamMembers}
        WHERE ${teamMembers.teamId} = ${contracts.teamId} AND ${teamMembers.userId} = ${uid}) AS team_role,
      (SELECT max(CASE ${contractShares.permission} WHEN 'edit' THEN 2 ELSE 1 END) FROM ${contractShares}
        WHERE ${contractShares.contractId} = ${contracts.id}
          AND (${contractShares.userId} = ${uid} OR ${contractShares.email} = ${me})
          AND ${shareStillGranted}) AS share_rank,
      EXISTS (SELECT 1 FROM ${contractSigners}
        WHERE ${contractSigners.contractId} = ${contracts.id} AND ${contractSigners.email} = ${me}) AS is_party
    FROM ${contracts} WHERE ${contracts.id} = ${sql.placeholder("contractId")} LIMIT 1`);
})();

function accessFrom(principal: Principal, row: AccessFactsRow | undefined): ContractAccess {
  if (!row) return "none";
  return decideAccess({
    role: principal.role,
    isOwner: row.owner_id === principal.userId,
    teamRole: row.team_role,
    sharePermission: row.share_rank === 2 ? "edit" : row.share_rank === 1 ? "view" : null,
    isParty: row.is_party === 1,
  });
}

/** The caller's access to a contract: one D1 read. */
export async function contractAccess(env: Bindings, principal: Principal, contractId: string): Promise<ContractAccess> {
  const rows = await accessFactsRow.all(env.DB, { uid: principal.userId, contractId });
  return accessFrom(principal, rows[0]);
}

/**
 * The caller's access and the contract (with its signers and attachments) in ONE D1 batch, for reads that need
 * both: one round trip instead of two, one snapshot. The contract is null when the access is "none" (or it is gone).
 */
export async function contractWithAccess(
  env: Bindings,
  principal: Principal,
  contractId: string,
): Promise<{ level: ContractAccess; contract: ContractView | null }> {
  const d1 = env.DB;
  const [facts, rows, signers, attachments] = await readBatch(d1, [
    accessFactsRow.bind(d1, { uid: principal.userId, contractId }),
    ...contractReads(d1, contractId),
  ] as const);
  const level = accessFrom(principal, facts[0]);
  return { level, contract: level === "none" ? null : assembleContract(rows, signers, attachments) };
}

/** SQL: the caller's verified email, lower-cased; NULL when unverified (a comparison with it is then never true). */
function verifiedEmailSql(userId: string): SQL {
  return sql`(SELECT lower(${users.email}) FROM ${users} WHERE ${users.id} = ${userId} AND ${users.emailVerifiedAt} IS NOT NULL)`;
}

/**
 * The list filter equivalent to contractAccess(...) !== "none"; undefined (no filter) for platform admins. The
 * verified email is a subquery of the filter rather than a read before it: one D1 round trip less per list.
 */
export async function visibleContracts(_database: Database, principal: Principal): Promise<SQL | undefined> {
  if (isAdmin(principal)) return undefined;
  const email = verifiedEmailSql(principal.userId);
  return or(
    eq(contracts.ownerId, principal.userId),
    sql`${contracts.teamId} IN (SELECT ${teamMembers.teamId} FROM ${teamMembers} WHERE ${teamMembers.userId} = ${principal.userId})`,
    sql`EXISTS (SELECT 1 FROM ${contractShares} WHERE ${contractShares.contractId} = ${contracts.id}
      AND (${contractShares.userId} = ${principal.userId} OR ${contractShares.email} = ${email}) AND ${shareStillGranted})`,
    sql`EXISTS (SELECT 1 FROM ${contractSigners} WHERE ${contractSigners.contractId} = ${contracts.id} AND ${contractSigners.email} = ${email})`,
  );
}

/** Whether `email` is a party (signer, approver, viewer) of the contract; emails are stored lower-cased. */
export async function isContractParty(database: Database, contractId: string, email: string): Promise<boolean> {
  const row = await database
    .select({ id: contractSigners.id })
    .from(contractSigners)
    .where(sql`${contractSigners.contractId} = ${contractId} AND ${contractSigners.email} = ${email.toLowerCase()}`)
    .get();
  return row !== undefined;
}
