// RFC 7009 token revocation (POST /oauth/revoke): the authenticated client ends one of its own tokens. A refresh
// token ends its whole authorization (RFC 7009 §2.1: the access tokens of that grant go too); an access token ends
// alone. Unknown tokens, and tokens of other clients, are answered like success (§2.2) and left untouched.
import type { Bindings } from "../../env";
import { authenticateClient } from "../../lib/oauth";
import { hashOpaqueSecret } from "../../lib/tokens";
import { db } from "../../db/client";
import { revokeGrantStatement, revokeTokenStatement, tokenWithGrant } from "../../db/oauth";
import { OAuthError } from "../../domain/oauth";
import type { RevokeForm } from "../../schemas/oauth";

/**
 * @throws OAuthError invalid_client (client authentication), invalid_request (no `token`)
 */
export async function revokeToken(
  env: Pick<Bindings, "DB">,
  form: RevokeForm,
  authorization: string | undefined,
  now = new Date(),
): Promise<void> {
  const { application } = await authenticateClient(env, form, authorization);
  if (!form.token) throw new OAuthError("invalid_request", "token is required");
  const database = db(env.DB);
  const row = await tokenWithGrant(database, hashOpaqueSecret(form.token));
  if (!row || row.grant.applicationId !== application.id) return;
  const at = now.toISOString();
  if (row.token.kind === "refresh") await revokeGrantStatement(database, row.grant.id, "refresh_token_revoked", at);
  else await revokeTokenStatement(database, row.token.id, at);
}
