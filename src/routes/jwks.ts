// GET /.well-known/jwks.json: the public keys access JWTs are signed with (current + previous during a rotation).
// Served bare (RFC 7517 JWK Set, not our envelope) because JOSE libraries fetch it as-is.
import { createRoute, z } from "@hono/zod-openapi";
import { openRoute } from "../lib/openapi";
import { createRouter } from "../lib/router";
import { publicKeySet } from "../lib/jwt";
import { publicRoute } from "../lib/auth";

const jwkSchema = z
  .object({
    kty: z.literal("OKP"),
    crv: z.literal("Ed25519"),
    x: z.string(),
    kid: z.string(),
    alg: z.literal("EdDSA"),
    use: z.literal("sig"),
  })
  .openapi("Jwk");

const route = createRoute({
  method: "get",
  path: "/.well-known/jwks.json",
  ...openRoute("Auth", publicRoute()),
  summary: "Public keys for verifying access tokens (JWK Set)",
  description:
    "Pick the key by the token's `kid` header. Cache for up to 5 minutes; during a key rotation two keys are listed.",
  responses: {
    200: {
      content: { "application/json": { schema: z.object({ keys: z.array(jwkSchema) }).openapi("JwkSet") } },
      description: "the JWK Set",
    },
  },
});

export const jwksRoutes = createRouter().openapi(route, async (c) => {
  const jwks = await publicKeySet(c.env);
  c.header("Cache-Control", "public, max-age=300");
  // The JWK Set is served as RFC 7517 defines it; the zod schema documents exactly these fields.
  return c.json(jwks as z.infer<(typeof route.responses)[200]["content"]["application/json"]["schema"]>, 200);
});
