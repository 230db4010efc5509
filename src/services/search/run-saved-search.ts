// Re-runs a user's saved search: its stored filters, re-validated, over the contracts the principal may see now.
import type { Principal } from "../../env";
import type { Database } from "../../db/client";
import { visibleContracts } from "../../db/contract-access";
import { listContracts } from "../../db/contracts";
import { findSavedSearch } from "../../db/saved-searches";
import { fail } from "../../lib/errors";
import { pageWindow } from "../../lib/pagination";
import { listContractsQuery } from "../../schemas/contracts";

/**
 * @returns the page of matching contracts and how many match
 * @throws RES001 when the principal has no saved search `input.id`
 */
export async function runSavedSearch(
  database: Database,
  principal: Principal,
  input: { id: string; page: number; perPage: number },
) {
  const saved = await findSavedSearch(database, principal.userId, input.id);
  if (!saved) throw fail.notFound("Saved search");
  // Re-validated on the way out: a stored query is data, and the filters' rules may have tightened since.
  const filters = listContractsQuery.parse(saved.query);
  return listContracts(database, await visibleContracts(database, principal), filters, pageWindow(input));
}
