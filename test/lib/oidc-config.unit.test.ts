// Providers without settings are absent from the API: configuration reading and the OpenAPI narrowing.
import { describe, expect, it } from "vitest";
import { documentForProviders, enabledProviders, providerConfig, redirectUriAllowList } from "../../src/lib/oidc";
import type { Bindings } from "../../src/env";

const base = { PUBLIC_BASE_URL: "https://api.example", ALLOWED_ORIGINS: "", ENVIRONMENT: "production" } as Bindings;

describe("provider settings per environment", () => {
  it("a provider is enabled only with both client id and secret; the issuer defaults to the provider's own", () => {
    const env = {
      ...base,
      OIDC_GOOGLE_CLIENT_ID: "id",
      OIDC_GOOGLE_CLIENT_SECRET: "s",
      OIDC_LINKEDIN_CLIENT_ID: "only-id",
    } as Bindings;
    expect(enabledProviders(env)).toEqual(["google"]);
    expect(providerConfig(env, "google")).toMatchObject({
      authority: "https://accounts.google.com",
      clientAuth: "client_secret_basic",
    });
    expect(providerConfig(env, "linkedin")).toBeNull();
    expect(
      providerConfig(
        { ...env, OIDC_MICROSOFT_CLIENT_ID: "m", OIDC_MICROSOFT_CLIENT_SECRET: "s" } as Bindings,
        "microsoft",
      ),
    ).toMatchObject({
      authority: "https://login.microsoftonline.com/common/v2.0",
    });
  });

  it("the default redirect URI is the API's own callback", () => {
    expect(redirectUriAllowList(base)).toEqual(["https://api.example/api/v1/auth/oauth/{provider}/callback"]);
  });
});

describe("the served OpenAPI document", () => {
  const doc = {
    paths: {
      "/api/v1/auth/oauth/{provider}/authorize": {
        get: {
          parameters: [
            { name: "provider", in: "path", schema: { type: "string", enum: ["google", "microsoft", "linkedin"] } },
          ],
        },
      },
      "/api/v1/auth/oauth/{provider}/callback": {
        get: { parameters: [{ name: "provider", in: "path", schema: { type: "string" } }] },
      },
      "/api/v1/auth/me": { get: {} },
    },
  };

  it("lists only the configured providers in the provider enum", () => {
    const served = documentForProviders(doc, ["linkedin"]);
    expect(
      (served.paths["/api/v1/auth/oauth/{provider}/authorize"].get.parameters[0]!.schema as { enum: string[] }).enum,
    ).toEqual(["linkedin"]);
  });

  it("leaves the provider operations out when none is configured", () => {
    expect(Object.keys(documentForProviders(doc, []).paths)).toEqual(["/api/v1/auth/me"]);
  });
});
