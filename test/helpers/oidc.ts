// Drives "Sign in with <provider>" against the loopback OpenID Provider (test/node/oidc-provider.ts) the way a
// browser would: our authorize → the provider (cookies kept, auto-login as the login_hint account) → the redirect
// back to the allow-listed redirect URI, whose query goes to our callback.
import { env } from "cloudflare:workers";
import { call, fetchWorker, type ApiResult } from "./http";
import { testIp } from "./users";

export type Provider = "google" | "microsoft" | "linkedin";

export interface ProviderAccount {
  id: string;
  email?: string;
  emailVerified?: boolean;
  name?: string;
  tamper?: "rogue_key" | "wrong_tid";
}

/** Sets the claims the provider asserts for account `id` (the login_hint that logs in as it). */
export async function providerAccount(account: ProviderAccount): Promise<ProviderAccount> {
  const res = await fetch(`${env.OIDC_TEST_PROVIDER_URL}/__accounts`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(account),
  });
  if (res.status !== 200) throw new Error(`provider account not set: ${res.status}`);
  return account;
}

/** GET /auth/oauth/:provider/authorize → the raw response (302 to the provider, or an error envelope). */
export async function authorize(provider: string, query: Record<string, string> = {}) {
  return fetchWorker(`/api/v1/auth/oauth/${provider}/authorize?${new URLSearchParams(query)}`, {
    redirect: "manual",
    headers: { "cf-connecting-ip": testIp() },
  });
}

/** The provider's authorization URL for a sign-in as `accountId`. */
export async function providerUrl(
  provider: Provider,
  accountId: string,
  query: Record<string, string> = {},
): Promise<string> {
  const res = await authorize(provider, { loginHint: accountId, ...query });
  if (res.status !== 302) throw new Error(`authorize answered ${res.status}: ${await res.text()}`);
  return res.headers.get("location")!;
}

/**
 * Follows the provider's redirects (login interaction included) with a cookie jar until it sends the browser back
 * to a redirect URI under http://localhost/api/v1/auth/oauth/; returns that URL's query (code, state, iss).
 */
export async function followProvider(start: string): Promise<URLSearchParams> {
  const jar = new Map<string, string>();
  let url = start;
  for (let hop = 0; hop < 10; hop++) {
    const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
    const res = await fetch(url, { redirect: "manual", headers: cookie ? { cookie } : {} });
    for (const set of res.headers.getSetCookie()) {
      const [pair = ""] = set.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === "" || /expires=Thu, 01 Jan 1970/i.test(set)) jar.delete(name);
      else jar.set(name, value);
    }
    const location = res.headers.get("location");
    if (!location) throw new Error(`the provider stopped at ${url}: ${res.status} ${(await res.text()).slice(0, 300)}`);
    await res.body?.cancel();
    const next = new URL(location, url);
    if (next.href.startsWith("http://localhost/api/v1/auth/oauth/")) return next.searchParams;
    url = next.href;
  }
  throw new Error("too many redirects at the provider");
}

/** GET /auth/oauth/:provider/callback with the provider's parameters. */
export async function callback(provider: string, params: URLSearchParams): Promise<ApiResult> {
  return call("GET", `/api/v1/auth/oauth/${provider}/callback?${params}`, {
    headers: { "cf-connecting-ip": testIp() },
  });
}

/** The whole flow: authorize, the provider's login as `accountId`, then our callback. */
export async function signIn(
  provider: Provider,
  accountId: string,
  query: Record<string, string> = {},
): Promise<ApiResult> {
  return callback(provider, await followProvider(await providerUrl(provider, accountId, query)));
}

/** A unique provider account id (the provider's `sub`). */
export function subject(label = "person"): string {
  return `${label}-${crypto.randomUUID()}`;
}
