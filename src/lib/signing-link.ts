// The signing link a party's email carries: the hosted signing page (public/sign/) by default, or the
// integrator's own frontend when SIGNING_URL_TEMPLATE says so (README "Signing links: hosted page or your own
// frontend"). That page reads the token from the link and calls the API with X-Signing-Token.

/** The hosted page: served by the Worker's static assets at /sign/<contractId>. */
export const DEFAULT_SIGNING_URL_TEMPLATE = "{PUBLIC_BASE_URL}/sign/{contractId}?token={token}";

export interface SigningLinkEnv {
  PUBLIC_BASE_URL: string;
  SIGNING_URL_TEMPLATE?: string;
}

/**
 * The link for one party: placeholders `{PUBLIC_BASE_URL}` (as configured), `{contractId}`, `{signerId}` and
 * `{token}` (URL-encoded). A template without `{token}` or that does not give an http(s) URL is a configuration
 * mistake that would send links nobody can use, so the hosted page is used instead.
 */
export function signingUrl(
  env: SigningLinkEnv,
  party: { contractId: string; signerId: string; token: string },
): string {
  const fill = (template: string) =>
    template
      .replaceAll("{PUBLIC_BASE_URL}", env.PUBLIC_BASE_URL.replace(/\/+$/, ""))
      .replaceAll("{contractId}", encodeURIComponent(party.contractId))
      .replaceAll("{signerId}", encodeURIComponent(party.signerId))
      .replaceAll("{token}", encodeURIComponent(party.token));
  const template = env.SIGNING_URL_TEMPLATE?.trim();
  if (template && template.includes("{token}")) {
    const url = fill(template);
    if (/^https?:\/\/[^/\s]+/i.test(url)) return url;
  }
  return fill(DEFAULT_SIGNING_URL_TEMPLATE);
}

/** Where a party (or anyone) opens a contract without a token: the hosted page explains how to get a link. */
export function hostedContractUrl(env: Pick<SigningLinkEnv, "PUBLIC_BASE_URL">, contractId: string): string {
  return `${env.PUBLIC_BASE_URL.replace(/\/+$/, "")}/sign/${encodeURIComponent(contractId)}`;
}
