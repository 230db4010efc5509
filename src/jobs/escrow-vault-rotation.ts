// Vault key rotation for escrow deliveries: every stored record's data key is re-wrapped from the old KEK to the
// new one inside its EscrowRoom; ciphertexts are never touched. Run it, then make the new key VAULT_KEK (and the
// old one VAULT_KEK_PREVIOUS until the run has finished everywhere).
import { isNotNull } from "drizzle-orm";
import type { Bindings } from "../env";
import { db } from "../db/client";
import { escrows } from "../db/schema/escrows";
import { kekId, rewrapRecord } from "../lib/vault";
import { escrowRoom } from "../../durable-objects/escrow-room";
import { unwrap } from "../../durable-objects/lib/rpc-result";

export interface RotationReport {
  rewrapped: string[];
  alreadyCurrent: string[];
}

export async function rotateEscrowVault(env: Bindings, oldKek: string, newKek: string): Promise<RotationReport> {
  const report: RotationReport = { rewrapped: [], alreadyCurrent: [] };
  const delivered = await db(env.DB)
    .select({ id: escrows.id })
    .from(escrows)
    .where(isNotNull(escrows.deliveredAt))
    .all();
  const target = kekId(newKek);
  for (const { id } of delivered) {
    const room = escrowRoom(env, id);
    const record = await room.sealedRecord();
    if (!record) continue;
    if (record.kekId === target) {
      report.alreadyCurrent.push(id);
      continue;
    }
    unwrap(await room.replaceSealedRecord(rewrapRecord(oldKek, newKek, id, record)));
    report.rewrapped.push(id);
  }
  return report;
}
