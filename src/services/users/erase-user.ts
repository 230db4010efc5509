// Account erasure (GDPR Art. 17): every contract room the person owns or is on first pseudonymises their signer rows,
// shares and the text naming them (its outbox rewrites the D1 projection, and so the full-text index, before
// answering); every escrow room they are a party to does the same; their live feed forgets its events; then one D1
// batch erases the rest atomically and the full-text index is merged so no deleted term survives in its segments.
import { endLiveSessions } from "../../lib/live-sessions";
import { eq, or, sql } from "drizzle-orm";
import type { Bindings } from "../../env";
import { db, type Database } from "../../db/client";
import { contracts, contractShares, contractSigners } from "../../db/schema/contracts";
import { escrows } from "../../db/schema/escrows";
import { erasureStatements, pseudonymFor } from "../../db/user-data";
import type { UserRow } from "../../db/users";
import { auditInsert } from "../../lib/audit";
import { contractRoom } from "../../../durable-objects/contract-room";
import { escrowRoom } from "../../../durable-objects/escrow-room";
import type { PartyPseudonym } from "../../domain/party-erasure";
import { unwrap } from "../../../durable-objects/lib/rpc-result";

export interface ErasureOrigin {
  ip: string | null;
  userAgent: string | null;
}

/** Contracts the user owns or that name the address as signer or share (the D1 projection of every room). */
async function contractsOf(database: Database, userId: string, email: string): Promise<string[]> {
  const [owned, signed, shared] = await Promise.all([
    database.select({ id: contracts.id }).from(contracts).where(eq(contracts.ownerId, userId)).all(),
    database
      .selectDistinct({ id: contractSigners.contractId })
      .from(contractSigners)
      .where(eq(contractSigners.email, email))
      .all(),
    database
      .selectDistinct({ id: contractShares.contractId })
      .from(contractShares)
      .where(eq(contractShares.email, email))
      .all(),
  ]);
  return [...new Set([...owned, ...signed, ...shared].map((r) => r.id))];
}

/**
 * Erases `user`. Idempotent per room (a room without the address changes nothing), so a failure part-way can be
 * retried by the user; the account stays usable until the final D1 batch commits.
 * @returns the ids of the contracts whose parties were pseudonymised
 */
export async function eraseUser(env: Bindings, user: UserRow, origin: ErasureOrigin, now: Date): Promise<string[]> {
  const database = db(env.DB);
  const pseudonym = pseudonymFor(user.id);
  // What others addressed to the email (signer rows, shares, invitations, mail) belongs to whoever reads that mailbox:
  // an account that never verified it erases only its own rows, so its address is matched as an unused one.
  const owned = user.emailVerifiedAt !== null ? user : { ...user, email: pseudonym.email };
  const party: PartyPseudonym = {
    email: owned.email.toLowerCase(),
    pseudonymEmail: pseudonym.email,
    pseudonymName: pseudonym.name,
    names: [user.name],
  };
  const contractIds = await contractsOf(database, user.id, party.email);
  for (const id of contractIds) {
    const result = await contractRoom(env, id).eraseParty(user.id, party);
    // A deleted draft has no room state left to erase (RES001); its projection rows went with it.
    if (!result.ok && result.error.code === "RES001") continue;
    unwrap(result);
  }
  const escrowIds = await database
    .select({ id: escrows.id })
    .from(escrows)
    .where(or(eq(escrows.buyerId, user.id), eq(escrows.sellerId, user.id)))
    .all();
  for (const { id } of escrowIds) unwrap(await escrowRoom(env, id).eraseParty(user.id, party));
  // The feed knows which rooms hold the user's sockets: close them (4003) before its storage is erased, or the
  // rooms' sockets would outlive the account. stopAccountActivity closes any opened in between.
  await endLiveSessions(env, user.id, { why: "account_closed" });
  await env.USER_FEED.get(env.USER_FEED.idFromName(user.id)).erase();
  const statements = await erasureStatements(database, {
    user: owned,
    pseudonymEmail: pseudonym.email,
    pseudonymName: pseudonym.name,
    now: now.toISOString(),
  });
  await database.batch([
    // The audit entry names only the pseudonymous id: it must not re-identify the person it records erasing.
    auditInsert(
      env,
      { action: "user.erased", actorId: user.id, ...origin, resourceType: "user", resourceId: user.id },
      now,
    ),
    ...statements,
  ]);
  // FTS5 deletes leave the old terms in the index segments until they merge; 'optimize' merges them now
  // (SQLite FTS5 docs, "The 'optimize' command"), so no erased name stays in the index's pages.
  await database.run(sql`INSERT INTO contracts_fts (contracts_fts) VALUES ('optimize')`);
  await database.run(sql`INSERT INTO templates_fts (templates_fts) VALUES ('optimize')`);
  return contractIds;
}
