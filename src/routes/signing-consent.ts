// GET /api/v1/signing/consent (public): the ESIGN/eIDAS consent wording every signing page shows before a signature,
// for integrators' own frontends — account signers included, who read the full contract, not the signer view.
import { createRoute } from "@hono/zod-openapi";
import { publicRoute } from "../lib/auth";
import { answers, envelope, openRoute } from "../lib/openapi";
import { createRouter } from "../lib/router";
import { ok } from "../lib/respond";
import { ELECTRONIC_SIGNATURE_CONSENT } from "../domain/consent";
import { signingConsentSchema } from "../schemas/contracts";

const consentRoute = createRoute({
  method: "get",
  path: "/signing/consent",
  ...openRoute("Contracts", publicRoute()),
  summary: "The consent to electronic signature a signing page must show",
  description:
    "The wording (and its version) to show a signer, word for word, next to the box they tick before your frontend " +
    "sends `consent: true` to POST /contracts/:id/sign. The same text is in the signer view (`party.consent` of " +
    "GET /contracts/:id read with X-Signing-Token) and quoted in the certificate of completion; the hosted signing " +
    "page shows it from there. Public: it is the same for everyone.",
  responses: answers(200, envelope(signingConsentSchema), "the current consent wording"),
});

export const signingConsentRoutes = createRouter().openapi(consentRoute, (c) =>
  ok(c, { ...ELECTRONIC_SIGNATURE_CONSENT }, 200),
);
