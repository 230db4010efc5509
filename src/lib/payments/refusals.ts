// The payment provider's predictable refusals, mapped once to a stable error code with a message that says what
// to do (issue 20 kind 2): a client can fix PAY001 (402), PROC001 (502) asks to try again later; never a 500.
// Paystack's documented error answers: `{ status: false, message }` with 400 (bad request), 401 (bad secret key),
// 404 (unknown reference), 5xx (their side). Messages quoted from Paystack's API answers.
import { ApiError } from "../errors";
import { ProviderError } from "./provider";

export type ProviderOperation = "initialize" | "verify" | "refund" | "transfer" | "recipient";

/**
 * What a provider failure means for us:
 * - retry: transient (network, 5xx, rate limit, our balance too low): try again later, nothing was done;
 * - refused: the provider will refuse this request as it is (client error with guidance);
 * - done: the provider says the thing already happened (a refund already processed, a reference already used);
 * - misconfigured: our own credentials or setup (operators must act).
 */
export type RefusalKind = "retry" | "refused" | "done" | "misconfigured";

export interface Refusal {
  kind: RefusalKind;
  code: "PAY001" | "PROC001";
  /** For the client: what happened and what to do. */
  message: string;
}

const GUIDANCE: { op: ProviderOperation | "any"; test: RegExp; refusal: Refusal }[] = [
  {
    op: "refund",
    test: /fully (reversed|refunded)|already (been )?(reversed|refunded)/i,
    refusal: { kind: "done", code: "PROC001", message: "The payment was already refunded" },
  },
  {
    op: "transfer",
    test: /duplicate|reference already/i,
    refusal: { kind: "done", code: "PROC001", message: "A transfer with this reference already exists" },
  },
  {
    op: "transfer",
    test: /balance/i,
    refusal: {
      kind: "retry",
      code: "PROC001",
      message: "Payouts are delayed while the platform balance is topped up; it is retried automatically",
    },
  },
  {
    op: "transfer",
    test: /recipient|account/i,
    refusal: {
      kind: "refused",
      code: "PAY001",
      message: "The seller's payout account was refused; the seller must update it (PUT /users/me/payout-account)",
    },
  },
  {
    op: "initialize",
    test: /currency/i,
    refusal: {
      kind: "refused",
      code: "PAY001",
      message: "This currency cannot be paid with the payment provider; open the escrow in a supported currency",
    },
  },
  {
    op: "initialize",
    test: /email/i,
    refusal: {
      kind: "refused",
      code: "PAY001",
      message: "The payment provider refused your email address; update it on your profile, then fund again",
    },
  },
  {
    op: "initialize",
    test: /amount/i,
    refusal: {
      kind: "refused",
      code: "PAY001",
      message: "The amount is outside what the payment provider accepts for one payment; use a different amount",
    },
  },
  {
    op: "recipient",
    test: /account|bank/i,
    refusal: {
      kind: "refused",
      code: "PAY001",
      message: "The bank did not accept this account; check the account number and bank code, then try again",
    },
  },
];

/** Classifies a provider failure of `op` (see RefusalKind). */
export function classifyRefusal(op: ProviderOperation, err: ProviderError): Refusal {
  const status = err.httpStatus;
  if (status === null || status >= 500 || status === 429 || status === 408) {
    return {
      kind: "retry",
      code: "PROC001",
      message: "The payment provider is unavailable right now; nothing was charged or sent. Try again in a minute",
    };
  }
  if (status === 401 || status === 403) {
    return {
      kind: "misconfigured",
      code: "PROC001",
      message: "Payments are temporarily unavailable (provider configuration); operators were alerted. Try again later",
    };
  }
  for (const g of GUIDANCE) if ((g.op === op || g.op === "any") && g.test.test(err.message)) return g.refusal;
  return {
    kind: "refused",
    code: "PAY001",
    message: `The payment provider refused this ${op === "initialize" ? "payment" : op}: ${providerMessage(err)}`,
  };
}

/** The provider's own words, without our prefix (bounded; never our secrets: the message is the provider's answer). */
function providerMessage(err: ProviderError): string {
  return (err.message.split(": ").slice(1).join(": ") || err.message).slice(0, 200);
}

/** The API error for a provider failure a client caused or must wait out (PAY001 / PROC001), never SYS001. */
export function providerApiError(op: ProviderOperation, err: ProviderError): ApiError {
  const r = classifyRefusal(op, err);
  return new ApiError(r.code, r.message, { details: { provider: "payment", kind: r.kind } });
}
