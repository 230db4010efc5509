// The payment provider of this deployment (PAYMENT_PROVIDER): Paystack, or the local test provider, which is
// refused in production.
import type { Bindings } from "../../env";
import { PaystackProvider } from "./paystack";
import type { PaymentProvider } from "./provider";
import { TestPaymentProvider } from "./test-provider";

export function paymentProvider(env: Bindings, fetcher?: typeof fetch): PaymentProvider {
  if (env.PAYMENT_PROVIDER === "paystack") {
    return new PaystackProvider({
      baseUrl: env.PAYSTACK_BASE_URL,
      secretKey: env.PAYSTACK_SECRET_KEY,
      ...(fetcher ? { fetch: fetcher } : {}),
    });
  }
  if (env.PAYMENT_PROVIDER === "test" && env.ENVIRONMENT !== "production") return new TestPaymentProvider(env);
  throw new Error(`PAYMENT_PROVIDER ${JSON.stringify(env.PAYMENT_PROVIDER)} is not usable in ${env.ENVIRONMENT}`);
}

/** The provider an escrow was opened with (its payment, refund and payout stay with it across config changes). */
export function providerNamed(env: Bindings, name: string, fetcher?: typeof fetch): PaymentProvider {
  return paymentProvider({ ...env, PAYMENT_PROVIDER: name }, fetcher);
}
