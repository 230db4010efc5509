// The signing token (X-Signing-Token, from a party's email link) as a route credential: the guard that admits it
// (requireScopeOrSigningToken, lib/auth) on the few operations a party may use without an account, and the OpenAPI
// security scheme naming it.
// Every other route ignores the header, so the token reaches nothing else (API.md "Contracts and templates").
import { requireScopeOrSigningToken } from "./auth";
import type { Scope } from "../domain/scopes";

export const SIGNING_TOKEN_HEADER = "x-signing-token";
/** Name of the OpenAPI security scheme (registered in routes/docs.ts). */
export const SIGNING_TOKEN_SCHEME = "signingToken";

/** The party a valid signing token acts for, set on `c.var.signingParty` by requireScopeOrSigningToken (lib/auth). */
export interface SigningParty {
  contractId: string;
  signerId: string;
}

/** OpenAPI `security`: an account (bearer) or the party's signing token. */
export const bearerOrSigningToken: Record<string, string[]>[] = [{ bearer: [] }, { [SIGNING_TOKEN_SCHEME]: [] }];

/**
 * What a contract route a party may use with its signing token shares (as lib/openapi `bearerRoute` for the others):
 * the Contracts tag, the OpenAPI security naming both credentials, and the guard admitting either for `scope`.
 */
export function partyRoute(scope: Scope) {
  return { tags: ["Contracts"], security: bearerOrSigningToken, middleware: [requireScopeOrSigningToken(scope)] };
}

/**
 * Spread into a `createRoute` of a read a party may make with its signing token (with `contractReader` in the
 * handler): the Contracts tag, the guard, and the OpenAPI security naming both credentials.
 */
export const partyReadable = partyRoute("contracts:read");
