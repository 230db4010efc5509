// Identity tables: users, sessions and their refresh-token chains, one-time codes, MFA recovery codes,
// login lockout state and API keys. Every secret here is stored hashed (or sealed), never in clear.
// User ids are plain columns (no FOREIGN KEY): D1 enforces foreign keys and ignores PRAGMA foreign_keys=OFF,
// so a drizzle table rebuild of `users` could fail or cascade; erased users keep a pseudonymous row instead.
import { sqliteTable, text, integer, index, uniqueIndex } from "drizzle-orm/sqlite-core";

export const ROLES = ["super_admin", "admin", "user", "viewer"] as const;
export type Role = (typeof ROLES)[number];
export const VERIFICATION_CHANNELS = ["email", "phone"] as const;
export type VerificationChannel = (typeof VERIFICATION_CHANNELS)[number];
export const ACCOUNT_TYPES = ["personal", "business"] as const;
export type AccountType = (typeof ACCOUNT_TYPES)[number];

export const users = sqliteTable(
  "users",
  {
    id: text("id").primaryKey(),
    /** Lower-cased and trimmed; unique. Replaced by a pseudonym when the account is erased. */
    email: text("email").notNull(),
    name: text("name").notNull(),
    /** argon2id PHC string (parameters inside, so they can be raised and old hashes upgraded at login). */
    passwordHash: text("password_hash").notNull(),
    role: text("role", { enum: ROLES }).notNull().default("user"),
    accountType: text("account_type", { enum: ACCOUNT_TYPES }).notNull().default("personal"),
    company: text("company"),
    industry: text("industry"),
    emailVerifiedAt: text("email_verified_at"),
    /** E.164 (`+2348012345678`); set only once verified by an SMS code (a pending number lives on its code row). */
    phone: text("phone"),
    phoneVerifiedAt: text("phone_verified_at"),
    /** Email digest: notices per window before the rest wait for the daily digest (0 = off); NULL = default. */
    digestThreshold: integer("digest_threshold"),
    digestWindowMinutes: integer("digest_window_minutes"),
    mfaEnabled: integer("mfa_enabled", { mode: "boolean" }).notNull().default(false),
    /** TOTP secret sealed with AES-256-GCM under a key derived from VAULT_KEK (aad = user id); pending until verified. */
    mfaSecretSealed: text("mfa_secret_sealed"),
    /** Last accepted TOTP time step: a code is accepted at most once (no replay within its window). */
    mfaLastStep: integer("mfa_last_step"),
    avatarKey: text("avatar_key"),
    /**
     * Where payouts go: the provider's transfer recipient (Paystack `recipient_code`) plus what the owner needs to
     * recognise the account. Never the full account number (the provider holds it).
     */
    payoutRecipientCode: text("payout_recipient_code"),
    payoutProvider: text("payout_provider"),
    payoutBankCode: text("payout_bank_code"),
    payoutAccountLast4: text("payout_account_last4"),
    payoutAccountName: text("payout_account_name"),
    payoutCurrency: text("payout_currency"),
    payoutAccountUpdatedAt: text("payout_account_updated_at"),
    suspended: integer("suspended", { mode: "boolean" }).notNull().default(false),
    suspendedAt: text("suspended_at"),
    deletedAt: text("deleted_at"),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [
    uniqueIndex("users_email_uq").on(t.email),
    index("users_role_idx").on(t.role, t.createdAt),
    // The sweep retiring accounts unverified after 7 days (src/cron/unverified-accounts.ts).
    index("users_unverified_idx").on(t.emailVerifiedAt, t.createdAt),
  ],
);

export const sessions = sqliteTable(
  "sessions",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull(),
    userAgent: text("user_agent"),
    ip: text("ip"),
    createdAt: text("created_at").notNull(),
    lastUsedAt: text("last_used_at").notNull(),
    /** When the newest refresh token dies; access tokens of an expired session stop working too. */
    expiresAt: text("expires_at").notNull(),
    revokedAt: text("revoked_at"),
    /** logout, password_change, password_reset, refresh_reuse, user_revoked, suspended, deleted… */
    revokedReason: text("revoked_reason"),
  },
  (t) => [index("sessions_user_idx").on(t.userId, t.createdAt)],
);

/**
 * One row per refresh token ever issued to a session (its rotation chain). Only the newest
 * (replacedAt null) is live; presenting a replaced one is reuse and revokes the session.
 */
export const refreshTokens = sqliteTable(
  "refresh_tokens",
  {
    id: text("id").primaryKey(),
    sessionId: text("session_id").notNull(),
    /** SHA-256 hex of the token (256 random bits, so an unsalted fast hash is enough). */
    tokenHash: text("token_hash").notNull(),
    generation: integer("generation").notNull(),
    expiresAt: text("expires_at").notNull(),
    createdAt: text("created_at").notNull(),
    replacedAt: text("replaced_at"),
  },
  (t) => [uniqueIndex("refresh_tokens_hash_uq").on(t.tokenHash), index("refresh_tokens_session_idx").on(t.sessionId)],
);

export const emailVerifications = sqliteTable(
  "email_verifications",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull(),
    /** HMAC-SHA256 of `userId:code` under a VAULT_KEK-derived pepper (a 6-digit code alone is trivially brute-forced). */
    codeHash: text("code_hash").notNull(),
    attempts: integer("attempts").notNull().default(0),
    expiresAt: text("expires_at").notNull(),
    consumedAt: text("consumed_at"),
    createdAt: text("created_at").notNull(),
    /** Which address the code proves: the account email, or a phone number sent by SMS (issue 17.3). */
    channel: text("channel", { enum: VERIFICATION_CHANNELS }).notNull().default("email"),
    /** For phone codes: the E.164 number the code was sent to, which becomes the user's phone when confirmed. */
    target: text("target"),
  },
  (t) => [index("email_verifications_user_idx").on(t.userId, t.channel, t.createdAt)],
);

export const passwordResets = sqliteTable(
  "password_resets",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull(),
    tokenHash: text("token_hash").notNull(),
    expiresAt: text("expires_at").notNull(),
    usedAt: text("used_at"),
    createdAt: text("created_at").notNull(),
  },
  (t) => [uniqueIndex("password_resets_hash_uq").on(t.tokenHash), index("password_resets_user_idx").on(t.userId)],
);

export const mfaRecoveryCodes = sqliteTable(
  "mfa_recovery_codes",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull(),
    codeHash: text("code_hash").notNull(),
    usedAt: text("used_at"),
    createdAt: text("created_at").notNull(),
  },
  (t) => [index("mfa_recovery_codes_user_idx").on(t.userId)],
);

/**
 * Consecutive failed logins per email (keyed by an HMAC of the normalised address, for known and unknown
 * emails alike, so lockout behaves the same whether or not an account exists).
 */
export const loginThrottles = sqliteTable("login_throttles", {
  emailKey: text("email_key").primaryKey(),
  failures: integer("failures").notNull().default(0),
  lockedUntil: text("locked_until"),
  updatedAt: text("updated_at").notNull(),
});

export const apiKeys = sqliteTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull(),
    name: text("name").notNull(),
    /** The first characters of the secret (`esk_AbCd1234`), for display only. */
    prefix: text("prefix").notNull(),
    /** SHA-256 hex of the whole secret (≥ 238 random bits, so a fast hash is enough). */
    secretHash: text("secret_hash").notNull(),
    /** JSON array of scopes (see src/domain/scopes.ts). */
    scopes: text("scopes").notNull(),
    expiresAt: text("expires_at"),
    lastUsedAt: text("last_used_at"),
    revokedAt: text("revoked_at"),
    createdAt: text("created_at").notNull(),
  },
  (t) => [
    uniqueIndex("api_keys_secret_hash_uq").on(t.secretHash),
    index("api_keys_user_idx").on(t.userId, t.createdAt),
  ],
);

/**
 * An external identity (OpenID Connect) linked to a user: the provider's stable subject under its issuer
 * (Microsoft: the tenant's issuer). One per provider per user; a subject belongs to one user.
 */
export const userIdentities = sqliteTable(
  "user_identities",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull(),
    /** google | microsoft | linkedin (src/domain/oidc.ts). */
    provider: text("provider").notNull(),
    /** The ID token's `iss` (for Microsoft the tenant-specific issuer). */
    issuer: text("issuer").notNull(),
    /** The ID token's `sub`. */
    subject: text("subject").notNull(),
    /** The email the provider asserted when the identity was linked or last used, for display. */
    email: text("email"),
    emailVerified: integer("email_verified", { mode: "boolean" }).notNull().default(false),
    createdAt: text("created_at").notNull(),
    lastUsedAt: text("last_used_at"),
  },
  (t) => [
    uniqueIndex("user_identities_subject_uq").on(t.provider, t.issuer, t.subject),
    uniqueIndex("user_identities_user_provider_uq").on(t.userId, t.provider),
  ],
);

/**
 * A pending authorization request (OIDC code flow + PKCE): keyed by the SHA-256 of its `state`, it holds the PKCE
 * verifier and the nonce server-side, lives 10 minutes and is consumed once by the callback.
 */
export const oidcFlows = sqliteTable(
  "oidc_flows",
  {
    id: text("id").primaryKey(),
    provider: text("provider").notNull(),
    codeVerifier: text("code_verifier").notNull(),
    nonce: text("nonce").notNull(),
    redirectUri: text("redirect_uri").notNull(),
    returnTo: text("return_to"),
    /** Set when a signed-in user started the flow to link this provider to their account. */
    linkUserId: text("link_user_id"),
    expiresAt: text("expires_at").notNull(),
    usedAt: text("used_at"),
    createdAt: text("created_at").notNull(),
  },
  (t) => [index("oidc_flows_expiry_idx").on(t.expiresAt)],
);

/**
 * The second step of a sign-in that proved the first factor elsewhere (a provider's ID token) on an account with
 * MFA on: keyed by the SHA-256 of the challenge handed to the client, 5 minutes, 5 attempts, single use.
 */
export const loginChallenges = sqliteTable(
  "login_challenges",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull(),
    /** How the first factor was proved, e.g. `oidc:google`. */
    method: text("method").notNull(),
    attempts: integer("attempts").notNull().default(0),
    expiresAt: text("expires_at").notNull(),
    usedAt: text("used_at"),
    createdAt: text("created_at").notNull(),
  },
  (t) => [index("login_challenges_user_idx").on(t.userId)],
);
