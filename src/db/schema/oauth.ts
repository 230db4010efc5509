// Partner OAuth 2 tables (Escra as an authorization server, issue 17.4): registered applications, the
// authorizations users grant them, one-time authorization codes and the access/refresh tokens of each
// authorization. Secrets (client secret, codes, tokens) are stored as SHA-256 of ≥ 256-bit random values.
// User and application ids are plain columns (no FOREIGN KEY), as in identity.ts.
import { sqliteTable, text, index, uniqueIndex } from "drizzle-orm/sqlite-core";

export const OAUTH_GRANT_KINDS = ["authorization_code", "client_credentials"] as const;
export type OAuthGrantKind = (typeof OAUTH_GRANT_KINDS)[number];
export const OAUTH_TOKEN_KINDS = ["access", "refresh"] as const;
export type OAuthTokenKind = (typeof OAUTH_TOKEN_KINDS)[number];

/** A partner's registered client (RFC 6749 §2). Its id is the public `client_id`. */
export const oauthApplications = sqliteTable(
  "oauth_applications",
  {
    id: text("id").primaryKey(),
    ownerId: text("owner_id").notNull(),
    name: text("name").notNull(),
    /** SHA-256 hex of the client secret `ecs_…` (shown once). */
    secretHash: text("secret_hash").notNull(),
    /** JSON array of registered redirect URIs, compared exactly (loopback: any port, RFC 8252 §7.3). */
    redirectUris: text("redirect_uris").notNull(),
    /** JSON array of the scopes the application may ever receive (src/domain/scopes.ts, no admin:*). */
    scopes: text("scopes").notNull(),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
    /** Deleted applications stay as rows so their authorizations and audit entries still name them. */
    deletedAt: text("deleted_at"),
  },
  (t) => [index("oauth_applications_owner_idx").on(t.ownerId, t.createdAt)],
);

/** What a user granted an application (or, for client_credentials, what the owner's application acts with). */
export const oauthGrants = sqliteTable(
  "oauth_grants",
  {
    id: text("id").primaryKey(),
    applicationId: text("application_id").notNull(),
    userId: text("user_id").notNull(),
    kind: text("kind", { enum: OAUTH_GRANT_KINDS }).notNull(),
    /** JSON array of granted scopes: requested ∩ registered ∩ what the user's role may grant. */
    scopes: text("scopes").notNull(),
    createdAt: text("created_at").notNull(),
    lastUsedAt: text("last_used_at"),
    /** Set on user revocation, application deletion, refresh-token reuse or authorization-code replay. */
    revokedAt: text("revoked_at"),
    revokedReason: text("revoked_reason"),
  },
  (t) => [
    index("oauth_grants_user_idx").on(t.userId, t.createdAt),
    index("oauth_grants_application_idx").on(t.applicationId),
  ],
);

/** One-time authorization codes (RFC 6749 §4.1.2), bound to client, redirect URI and PKCE challenge (RFC 7636). */
export const oauthCodes = sqliteTable(
  "oauth_codes",
  {
    codeHash: text("code_hash").primaryKey(),
    applicationId: text("application_id").notNull(),
    userId: text("user_id").notNull(),
    redirectUri: text("redirect_uri").notNull(),
    scopes: text("scopes").notNull(),
    /** BASE64URL(SHA-256(code_verifier)); only S256 is accepted. */
    codeChallenge: text("code_challenge").notNull(),
    createdAt: text("created_at").notNull(),
    expiresAt: text("expires_at").notNull(),
    usedAt: text("used_at"),
    /** The authorization the code's exchange created: revoked when the code is replayed (RFC 6749 §4.1.2). */
    grantId: text("grant_id"),
  },
  (t) => [index("oauth_codes_expiry_idx").on(t.expiresAt)],
);

/** Access tokens `eoa_…` and refresh tokens `eor_…` of one authorization. */
export const oauthTokens = sqliteTable(
  "oauth_tokens",
  {
    id: text("id").primaryKey(),
    grantId: text("grant_id").notNull(),
    kind: text("kind", { enum: OAUTH_TOKEN_KINDS }).notNull(),
    tokenHash: text("token_hash").notNull(),
    /** JSON array: the scopes this token carries (never more than its authorization's). */
    scopes: text("scopes").notNull(),
    createdAt: text("created_at").notNull(),
    expiresAt: text("expires_at").notNull(),
    /** Refresh tokens: when this one was exchanged for its successor; presenting it again revokes the grant. */
    rotatedAt: text("rotated_at"),
    revokedAt: text("revoked_at"),
  },
  (t) => [uniqueIndex("oauth_tokens_hash_uq").on(t.tokenHash), index("oauth_tokens_grant_idx").on(t.grantId)],
);
