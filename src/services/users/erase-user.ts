// Account erasure (GDPR Art. 17): every contract room the person is on first pseudonymises their signer rows and
// shares (its outbox rewrites the D1 projection before answering), then one D1 batch erases the rest atomically.
import { eq } from "drizzle-orm";
import type { Bindings } from "../../env";
import { db, type Database } from "../../db/client";
import { contractShares, contractSigners } from "../../db/schema/contracts";
import { erasureStatements, pseudonymFor } from "../../db/user-data";
import type { UserRow } from "../../db/users";
import { auditInsert } from "../../lib/audit";
import { contractRoom } from "../../../durable-objects/contract-room";
import { unwrap } from "../../../durable-objects/lib/rpc-result";

export interface ErasureOrigin {
  ip: string | null;
  userAgent: string | null;
}

/** Contracts naming the address as signer or share (the D1 projection of every room). */
async function contractsNaming(database: Database, email: string): Promise<string[]> {
  const [signed, shared] = await Promise.all([
    database.selectDistinct({ id: contractSigners.contractId }).from(contractSigners).where(eq(contractSigners.email, email)).all(),
    database.selectDistinct({ id: contractShares.contractId }).from(contractShares).where(eq(contractShares.email, email)).all(),
  ]);
  return [...new Set([...signed, ...shared].map((r) => r.id))];
}

/**
 * Erases `user`. Idempotent per room (a room without the address changes nothing), so a failure part-way can be
 * retried by the user; the account stays usable until the final D1 batch commits.
 * @returns the ids of the contracts whose parties were pseudonymised
 */
export async function eraseUser(env: Bindings, user: UserRow, origin: ErasureOrigin, now: Date): Promise<string[]> {
  const database = db(env.DB);
  const pseudonym = pseudonymFor(user.id);
  const contractIds = await contractsNaming(database, user.email.toLowerCase());
  for (const id of contractIds) {
    const result = await contractRoom(env, id).eraseParty(user.id, {
      email: user.email.toLowerCase(),
      pseudonymEmail: pseudonym.email,
      pseudonymName: pseudonym.name,
    });
    // A deleted draft has no room state left to erase (RES001); its projection rows went with it.
    if (!result.ok && result.error.code === "RES001") continue;
    unwrap(result);
  }
  const statements = await erasureStatements(database, {
    user,
    pseudonymEmail: pseudonym.email,
    pseudonymName: pseudonym.name,
    now: now.toISOString(),
  });
  await database.batch([
    // The audit entry names only the pseudonymous id: it must not re-identify the person it records erasing.
    auditInsert(env, { action: "user.erased", actorId: user.id, ...origin, resourceType: "user", resourceId: user.id }, now),
    ...statements,
  ]);
  return contractIds;
}
