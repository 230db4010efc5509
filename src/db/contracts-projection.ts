// The D1 statements that project one ContractRoom state: idempotent (upsert + replace children), so the outbox
// may run them again after a partial failure. Built with drizzle and shipped as { sql, params } through the outbox.
import { eq } from "drizzle-orm";
import { sql as raw } from "drizzle-orm";
import { db } from "./client";
import { contractAttachments, contracts, contractShares, contractSigners } from "./schema/contracts";
import type { ContractState } from "../domain/contract-machine";
import { normalizeInstant } from "../lib/time";
import { columnPicker } from "../lib/view";

export interface Statement {
  sql: string;
  params: unknown[];
}

const toStatement = (q: { toSQL(): { sql: string; params: unknown[] } }): Statement => {
  const { sql, params } = q.toSQL();
  return { sql, params };
};

const contractColumns = columnPicker(contracts);

export function contractProjection(d1: D1Database, state: ContractState, revision: number): Statement[] {
  const d = db(d1);
  if (state.deletedAt) return contractRemoval(d1, state.id);
  const row = contractColumns({
    ...state,
    valueAmount: state.value?.amount ?? null,
    valueCurrency: state.value?.currency ?? null,
    expiresAt: normalizeInstant(state.expiresAt), // the expiry sweep compares it as UTC text
    revision,
  });
  const { id: _id, ...updates } = row;
  const statements: Statement[] = [
    toStatement(
      d
        .insert(contracts)
        .values(row)
        .onConflictDoUpdate({
          target: contracts.id,
          set: updates,
          // Never move a row back to an older revision, whatever order statements arrive in.
          setWhere: raw`${contracts.revision} <= ${revision}`,
        }),
    ),
    toStatement(d.delete(contractSigners).where(eq(contractSigners.contractId, state.id))),
    toStatement(d.delete(contractAttachments).where(eq(contractAttachments.contractId, state.id))),
    toStatement(d.delete(contractShares).where(eq(contractShares.contractId, state.id))),
  ];
  // One statement per child row keeps every statement far below D1's 100 bound parameters.
  for (const s of state.signers) {
    statements.push(toStatement(d.insert(contractSigners).values({ ...s, contractId: state.id })));
  }
  for (const a of state.attachments) {
    statements.push(toStatement(d.insert(contractAttachments).values({ ...a, contractId: state.id })));
  }
  for (const s of state.shares) {
    statements.push(toStatement(d.insert(contractShares).values({ ...s, contractId: state.id })));
  }
  return statements;
}

function contractRemoval(d1: D1Database, contractId: string): Statement[] {
  const d = db(d1);
  return [
    toStatement(d.delete(contractSigners).where(eq(contractSigners.contractId, contractId))),
    toStatement(d.delete(contractAttachments).where(eq(contractAttachments.contractId, contractId))),
    toStatement(d.delete(contractShares).where(eq(contractShares.contractId, contractId))),
    toStatement(d.delete(contracts).where(eq(contracts.id, contractId))),
  ];
}
