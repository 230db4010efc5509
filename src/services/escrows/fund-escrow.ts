// Funding an escrow (POST /escrows/:id/fund): a retry while a checkout is open gets the same reference and URL
// (a second tab never creates a second payable reference); otherwise a new checkout with the escrow's provider.
import type { Bindings, Principal } from "../../env";
import { fail } from "../../lib/errors";
import { providerNamed } from "../../lib/payments";
import { chargeReference, ProviderError } from "../../lib/payments/provider";
import { providerApiError } from "../../lib/payments/refusals";
import { log } from "../../lib/request-context";
import { findUserById } from "../../db/users";
import { escrowRoom, type Caller } from "../../../durable-objects/escrow-room";
import { unwrap } from "../../../durable-objects/lib/rpc-result";

export interface Checkout {
  payment: { provider: string; reference: string; authorizationUrl: string };
}

/**
 * The buyer's checkout for escrow `escrowId`.
 * @throws AUTH003 not the buyer; RES002 not pending (funded, cancelled, expired…); PAY001 the provider refuses this
 *   payment (the message says what to change); PROC001 the provider is unavailable (try again)
 */
export async function fundEscrow(env: Bindings, buyer: Principal, caller: Caller, escrowId: string): Promise<Checkout> {
  const room = escrowRoom(env, escrowId);
  const open = unwrap(await room.openCheckout(caller));
  const escrow = await room.get();
  if (!escrow) throw fail.notFound("Escrow");
  if (open) return { payment: { provider: escrow.payment.provider, ...open } };
  const user = await findUserById(env.DB, buyer.userId);
  if (!user) throw fail.unauthenticated();
  const provider = providerNamed(env, escrow.payment.provider);
  let checkout: { authorizationUrl: string; reference: string };
  try {
    checkout = await provider.initialize({
      reference: chargeReference(escrowId),
      email: user.email,
      amount: escrow.amount,
      currency: escrow.currency,
      metadata: { escrowId },
    });
  } catch (err) {
    if (!(err instanceof ProviderError)) throw err;
    log("warn", "payment initialize failed", { escrowId, status: err.httpStatus, error: err.message });
    throw providerApiError("initialize", err);
  }
  unwrap(await room.startPayment(caller, provider.name, checkout.reference, checkout.authorizationUrl));
  return {
    payment: { provider: provider.name, reference: checkout.reference, authorizationUrl: checkout.authorizationUrl },
  };
}
