// Cancelling, deleting or tagging many contracts at once. Each id is checked on its own (rights and state) and gets
// its own result, so one refused id never blocks the others.
import type { Bindings, Principal } from "../../env";
import { ApiError } from "../../lib/errors";
import { requireContractAccess } from "../../lib/contract-guard";
import type { BulkContractsInput, BulkResult } from "../../schemas/contracts";
import { contractRoom } from "../../../durable-objects/contract-room";
import { unwrap } from "../../../durable-objects/lib/rpc-result";
import { purgeContractFiles } from "./purge-contract-files";

/** Rooms are independent single writers; a few at a time keeps the request's subrequests bounded. */
const CONCURRENCY = 8;

/**
 * Applies `input.action` to each of `input.ids` as `principal`: tagging needs edit rights, cancelling and deleting
 * ownership.
 * @returns one result per id, in the order of `input.ids`; an ApiError of one id (RES001, RES002, AUTH004…) is its
 *   result, anything else fails the whole request
 */
export async function applyBulkAction(
  env: Bindings,
  principal: Principal,
  input: BulkContractsInput,
): Promise<BulkResult[]> {
  const results: BulkResult[] = new Array(input.ids.length);
  let next = 0;
  const worker = async () => {
    while (next < input.ids.length) {
      const index = next++;
      results[index] = await applyToOne(env, principal, input, input.ids[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, input.ids.length) }, worker));
  return results;
}

async function applyToOne(
  env: Bindings,
  principal: Principal,
  input: BulkContractsInput,
  id: string,
): Promise<BulkResult> {
  try {
    const room = contractRoom(env, id);
    if (input.action === "tag") {
      await requireContractAccess(env, principal, id, "edit");
      return { id, ok: true, status: unwrap(await room.tag(principal.userId, input.tags ?? [])).status };
    }
    await requireContractAccess(env, principal, id, "owner");
    if (input.action === "cancel")
      return { id, ok: true, status: unwrap(await room.cancel(principal.userId, input.reason ?? null)).status };
    unwrap(await room.remove(principal.userId));
    await purgeContractFiles(env, id);
    return { id, ok: true, status: "deleted" };
  } catch (err) {
    if (err instanceof ApiError) return { id, ok: false, error: { code: err.code, message: err.message } };
    throw err;
  }
}
