// A real OpenID Provider for the sign-in tests: node-oidc-provider (a certified implementation) on a free 127.0.0.1
// port, started by vitest.config.ts, which passes the issuers and client credentials to the Worker as bindings.
// One server hosts three issuers, one per provider name:
//   /google                       issuer http://127.0.0.1:P/google   (client_secret_basic)
//   /linkedin                     issuer http://127.0.0.1:P/linkedin (client_secret_post)
//   /ms/<tenant>/v2.0             a Microsoft-like tenant issuer; /ms/common/v2.0 serves its discovery with the
//                                 multi-tenant template issuer http://127.0.0.1:P/ms/{tenantid}/v2.0, and ID tokens
//                                 carry `tid` (as Entra ID's `common` authority does)
// The login interaction is a tiny auto-login: the account is the `login_hint` of the authorization request, consent
// is granted (first-party client). Test control, over loopback from workerd:
//   POST /__accounts { id, email?, emailVerified?, name?, tamper?: "rogue_key" | "wrong_tid" }  — claims of account `id`
// `tamper` rewrites the ID token of that account's token responses: "rogue_key" re-signs it with another RSA key
// under the provider's kid (an ID token signed by another key); "wrong_tid" names another tenant (re-signed with the
// real key, so only the issuer check can catch it).
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import Provider, { type Configuration } from "oidc-provider";
// The provider's own in-memory store, passed explicitly: the default is the same store plus a warning, printed on
// every test run, that it is for development only — which a test provider is.
// @ts-expect-error the package ships no types for its adapter modules
import { createMemoryAdapter } from "oidc-provider/lib/adapters/memory_adapter.js";
import { SignJWT, decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, importJWK, type JWK } from "jose";

export const TEST_TENANT_ID = "9188040d-6c67-4c5b-b112-36a304b66dad";
const OTHER_TENANT_ID = "72f988bf-86f1-41af-91ab-2d7cd011db47";

interface Account {
  id: string;
  email?: string;
  emailVerified?: boolean;
  name?: string;
  tamper?: "rogue_key" | "wrong_tid";
}

export interface TestOidcProviders {
  /** Control surface (POST /__accounts) and base of every issuer. */
  url: string;
  bindings: Record<string, string>;
}

type Name = "google" | "linkedin" | "microsoft";

export async function startTestOidcProviders(): Promise<TestOidcProviders> {
  const accounts = new Map<string, Account>();
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // The Worker's allow-listed redirect URI in tests (the test reads the provider's redirect, it is never fetched).
  const redirectUri = (name: Name) => `http://localhost/api/v1/auth/oauth/${name}/callback`;

  const mounts: { prefix: string; name: Name; provider: Provider; privateJwk: JWK }[] = [];
  for (const [name, prefix, auth] of [
    ["google", "/google", "client_secret_basic"],
    ["linkedin", "/linkedin", "client_secret_post"],
    ["microsoft", `/ms/${TEST_TENANT_ID}/v2.0`, "client_secret_post"],
  ] as const) {
    const { privateKey } = await generateKeyPair("RS256", { extractable: true });
    const privateJwk = { ...(await exportJWK(privateKey)), kid: `${name}-key-1`, alg: "RS256", use: "sig" };
    const configuration: Configuration = {
      clients: [
        {
          client_id: `escra-${name}`,
          client_secret: `secret-${name}-0123456789abcdef`,
          redirect_uris: [redirectUri(name)],
          token_endpoint_auth_method: auth,
          grant_types: ["authorization_code"],
          response_types: ["code"],
        },
      ],
      jwks: { keys: [privateJwk as never] },
      // ID tokens carry the scope's claims, as Google, Microsoft and LinkedIn send them.
      conformIdTokenClaims: false,
      claims: {
        openid: ["sub", ...(name === "microsoft" ? ["tid", "xms_edov"] : [])],
        email: ["email", "email_verified"],
        profile: ["name"],
      },
      pkce: { required: () => true },
      features: { devInteractions: { enabled: false } },
      interactions: { url: (_ctx, interaction) => `${prefix}/interaction/${interaction.uid}` },
      findAccount: (_ctx, id) => ({
        accountId: id,
        claims: () => {
          const account = accounts.get(id) ?? { id };
          const verified = account.emailVerified ?? true;
          return {
            sub: id,
            email: account.email,
            name: account.name ?? "Test Person",
            // Microsoft sends no email_verified; its xms_edov says the email domain's owner verified it.
            ...(name === "microsoft"
              ? { tid: TEST_TENANT_ID, ...(verified ? { xms_edov: true } : {}) }
              : { email_verified: verified }),
          };
        },
      }),
      // First-party client: consent is implied, so the only interaction is the login.
      loadExistingGrant: async (ctx) => {
        const grantId = ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session!.grantIdFor(ctx.oidc.client!.clientId);
        if (grantId) return ctx.oidc.provider.Grant.find(grantId);
        const grant = new ctx.oidc.provider.Grant({
          clientId: ctx.oidc.client!.clientId,
          accountId: ctx.oidc.session!.accountId!,
        });
        grant.addOIDCScope("openid email profile");
        await grant.save();
        return grant;
      },
      ttl: { AccessToken: 600, AuthorizationCode: 60, IdToken: 600, Grant: 600, Interaction: 600, Session: 600 },
      cookies: { keys: ["test-cookie-key-0123456789"] },
      adapter: createMemoryAdapter(),
    };
    const provider = new Provider(`${base}${prefix}`, configuration);
    mounts.push({ prefix, name, provider, privateJwk });
  }
  const rogue = {
    ...(await exportJWK((await generateKeyPair("RS256", { extractable: true })).privateKey)),
    alg: "RS256",
  };

  /** Rewrites the ID token of a tampered account's token response. */
  async function tamperIdToken(idToken: string, signer: JWK): Promise<string> {
    const claims = decodeJwt(idToken);
    const account = accounts.get(String(claims.sub));
    if (!account?.tamper) return idToken;
    const header = decodeProtectedHeader(idToken);
    const payload = { ...claims, ...(account.tamper === "wrong_tid" ? { tid: OTHER_TENANT_ID } : {}) };
    const key = await importJWK(account.tamper === "rogue_key" ? rogue : signer, "RS256");
    return new SignJWT(payload).setProtectedHeader({ alg: "RS256", kid: header.kid, typ: header.typ }).sign(key);
  }

  function interceptTokenResponse(res: ServerResponse, signer: JWK) {
    const end = res.end.bind(res) as (chunk?: unknown) => ServerResponse;
    (res as { end: unknown }).end = (chunk?: unknown) => {
      if (typeof chunk !== "string" && !Buffer.isBuffer(chunk)) return end(chunk);
      const text = chunk.toString();
      let body: { id_token?: string };
      try {
        body = JSON.parse(text) as { id_token?: string };
      } catch {
        return end(chunk);
      }
      if (!body.id_token) return end(chunk);
      void tamperIdToken(body.id_token, signer).then((idToken) => {
        const out = JSON.stringify({ ...body, id_token: idToken });
        if (!res.headersSent) res.setHeader("content-length", Buffer.byteLength(out));
        end(out);
      });
      return res;
    };
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    // No keep-alive: workerd reusing a socket Node already closed shows up as "Network connection lost".
    res.setHeader("connection", "close");
    const url = new URL(req.url ?? "/", base);
    if (url.pathname === "/__accounts" && req.method === "POST") {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const account = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Account;
      accounts.set(account.id, account);
      res.writeHead(200, { "content-type": "application/json" });
      return res.end(JSON.stringify({ ok: true }));
    }
    // Entra ID's multi-tenant authority: the tenant's metadata under the template issuer.
    if (url.pathname === "/ms/common/v2.0/.well-known/openid-configuration") {
      const ms = mounts.find((m) => m.name === "microsoft")!;
      const upstream = await fetch(`${base}${ms.prefix}/.well-known/openid-configuration`);
      const metadata = (await upstream.json()) as Record<string, unknown>;
      res.writeHead(200, { "content-type": "application/json" });
      return res.end(JSON.stringify({ ...metadata, issuer: `${base}/ms/{tenantid}/v2.0` }));
    }
    const mount = mounts.find((m) => url.pathname === m.prefix || url.pathname.startsWith(`${m.prefix}/`));
    if (!mount) {
      res.writeHead(404);
      return res.end();
    }
    const rest = url.pathname.slice(mount.prefix.length) || "/";
    if (rest.startsWith("/interaction/")) {
      const details = await mount.provider.interactionDetails(req, res);
      const accountId = String(details.params.login_hint ?? "anonymous");
      return mount.provider.interactionFinished(req, res, { login: { accountId } }, { mergeWithLastSubmission: false });
    }
    if (rest === "/token" && req.method === "POST") interceptTokenResponse(res, mount.privateJwk);
    // Mounted under a prefix: oidc-provider derives its mount path from originalUrl vs url (as under express).
    (req as IncomingMessage & { originalUrl?: string }).originalUrl = req.url;
    req.url = `${rest}${url.search}`;
    return mount.provider.callback()(req, res);
  }

  server.on("request", (req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end(String(error));
    });
  });
  server.unref();

  const bindings: Record<string, string> = {
    OIDC_ALLOW_INSECURE_ISSUERS: "true",
    OIDC_REDIRECT_URIS: "http://localhost/api/v1/auth/oauth/{provider}/callback",
    OIDC_RETURN_TO_ORIGINS: "http://localhost:5173",
    OIDC_TEST_PROVIDER_URL: base,
    OIDC_GOOGLE_ISSUER: `${base}/google`,
    OIDC_LINKEDIN_ISSUER: `${base}/linkedin`,
    OIDC_MICROSOFT_ISSUER: `${base}/ms/common/v2.0`,
  };
  for (const name of ["google", "linkedin", "microsoft"] as const) {
    bindings[`OIDC_${name.toUpperCase()}_CLIENT_ID`] = `escra-${name}`;
    bindings[`OIDC_${name.toUpperCase()}_CLIENT_SECRET`] = `secret-${name}-0123456789abcdef`;
  }
  return { url: base, bindings };
}
