// The OpenAPI 3.1 document (built from the zod route definitions) and the interactive reference page.
import type { App } from "../app";
import { DOCS_CSP } from "../lib/security-headers";
import { SIGNING_TOKEN_SCHEME } from "../lib/signing-access";
import { documentForProviders, enabledProviders } from "../lib/oidc";

export function registerDocs(app: App) {
  app.openAPIRegistry.registerComponent("securitySchemes", "bearer", {
    type: "http",
    scheme: "bearer",
    description: "An access JWT (EdDSA, 15 min) or an API key `esk_…`",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "clientSecretBasic", {
    type: "http",
    scheme: "basic",
    description:
      "A partner application's `client_id` and `client_secret` (RFC 6749 §2.3.1), at the OAuth token and revocation " +
      "endpoints only; `client_secret_post` (both in the form body) works too.",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", SIGNING_TOKEN_SCHEME, {
    type: "apiKey",
    in: "header",
    name: "X-Signing-Token",
    description:
      "The token of a party's signing link (72 h): acts for that one party of that one contract, on exactly the " +
      "operations listing it — read the signer view, the document and (once executed) the executed document " +
      "and certificate; sign, approve or decline.",
  });

  // Not `app.doc31()`: that regenerates the whole document on every request (hundreds of ms for a large API on a
  // loaded machine) and answers generator errors with the raw error object. Routes are fixed once the app is
  // built, so the document is generated on first use and reused for the isolate's lifetime; only `servers`
  // depends on the request. Errors go through onError like any other (SYS001, no internals).
  let document: ReturnType<App["getOpenAPI31Document"]> | undefined;
  app.get("/api/v1/openapi.json", (c) => {
    document ??= app.getOpenAPI31Document({ openapi: "3.1.0", info: API_INFO });
    // Sign-in providers this environment does not configure are absent from its document (lib/oidc.ts).
    const served = documentForProviders(document, enabledProviders(c.env));
    return c.json({ ...served, servers: [{ url: new URL(c.req.url).origin, description: c.env.ENVIRONMENT }] });
  });

  app.get("/docs", (c) => {
    c.header("Content-Security-Policy", DOCS_CSP);
    return c.html(DOCS_PAGE);
  });
}

const API_INFO = {
  title: "Escra API",
  version: "1.0.0",
  description:
    "Contracts, multi-party signatures, escrow and blockchain anchoring. Every response is an envelope " +
    "`{ success, data | error, metadata }`; errors carry a stable code (see API.md).",
};

// The renderer is served from our own origin (static assets, see scripts/lib/docs-assets.ts), so the page works
// offline and under a strict CSP; the configuration turns off everything that would reach a third party
// (web fonts, telemetry, the hosted agent and MCP generator, the localhost-only developer toolbar).
const SCALAR_CONFIG = JSON.stringify({
  withDefaultFonts: false,
  telemetry: false,
  agent: { disabled: true },
  mcp: { disabled: true },
  showDeveloperTools: "never",
});

const DOCS_PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Escra API reference</title>
  </head>
  <body>
    <script id="api-reference" data-url="/api/v1/openapi.json" data-configuration='${SCALAR_CONFIG}'></script>
    <script src="/docs-assets/scalar.js"></script>
  </body>
</html>`;
