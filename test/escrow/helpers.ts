// Escrow test helpers: parties, an escrow opened through the API, and polling of eventually-consistent state.
import { env } from "cloudflare:workers";
import { call } from "../helpers/http";
import { createUser, type TestUser } from "../helpers/users";
import { escrowRoom } from "../../durable-objects/escrow-room";

export async function parties() {
  const [buyer, seller, outsider] = await Promise.all([
    createUser({ name: "Bea Buyer" }),
    createUser({ name: "Sam Seller" }),
    createUser(),
  ]);
  return { buyer, seller, outsider };
}

export async function openEscrow(buyer: TestUser, seller: TestUser, extra: Record<string, unknown> = {}) {
  const res = await call("POST", "/api/v1/escrows", {
    token: buyer.accessToken,
    body: {
      sellerEmail: seller.email,
      amount: 500_000,
      currency: "NGN",
      description: "Instagram account @shop",
      inspectionPeriodHours: 24,
      ...extra,
    },
  });
  if (res.status !== 201) throw new Error(`open escrow: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data as { id: string; contractId: string; [k: string]: any };
}

/** Funds through the real path: fund → test provider's signed charge.success → webhook. */
export async function fundEscrow(buyer: TestUser, escrowId: string) {
  const fund = await call("POST", `/api/v1/escrows/${escrowId}/fund`, { token: buyer.accessToken });
  if (fund.status !== 200) throw new Error(`fund: ${fund.status} ${JSON.stringify(fund.body)}`);
  const paid = await call("POST", `/api/v1/dev/payments/${fund.body.data.payment.reference}/succeed`);
  if (paid.status !== 200) throw new Error(`succeed: ${paid.status} ${JSON.stringify(paid.body)}`);
  return fund.body.data.payment.reference as string;
}

/** Moves the escrow to contract_signed as the contract.activated consumer would. */
export async function markContractSigned(escrowId: string) {
  const r = await escrowRoom(env, escrowId).contractActivated();
  if (!r.ok) throw new Error(`contractActivated: ${JSON.stringify(r.error)}`);
}

export async function waitFor<T>(
  probe: () => Promise<T | null | undefined | false>,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
