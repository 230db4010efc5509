// Bindings (wrangler.toml + secrets) and per-request variables, typed once for the whole Worker.
import type { ContractRoom } from "../durable-objects/contract-room";
import type { EscrowRoom } from "../durable-objects/escrow-room";
import type { ListingRoom } from "../durable-objects/listing-room";
import type { UserFeed } from "../durable-objects/user-feed";
import type { RateLimiter } from "../durable-objects/rate-limiter";
import type { MetricsRoom } from "../durable-objects/metrics-room";
import type { QueueMessage } from "./lib/queue-messages";

export interface Bindings {
  DB: D1Database;
  DOCUMENTS: R2Bucket;
  EVENTS: Queue<QueueMessage>;
  JOBS: Queue<QueueMessage>;
  /** Document rendering (executed PDF, seal, TSA) on its own queue, so a slow render never delays JOBS' emails. */
  DOCUMENT_JOBS: Queue<QueueMessage>;
  CONTRACT_ROOM: DurableObjectNamespace<ContractRoom>;
  ESCROW_ROOM: DurableObjectNamespace<EscrowRoom>;
  LISTING_ROOM: DurableObjectNamespace<ListingRoom>;
  USER_FEED: DurableObjectNamespace<UserFeed>;
  RATE_LIMITER: DurableObjectNamespace<RateLimiter>;
  /** One object (`global`) summing the request metrics every isolate flushes (src/lib/metrics.ts). */
  METRICS_ROOM: DurableObjectNamespace<MetricsRoom>;
  MAILER?: SendEmail;
  /** Static assets of public/ (wrangler.toml [assets]); the PDF renderer reads its fonts from /fonts/ here. */
  ASSETS: Fetcher;

  // vars
  ENVIRONMENT: "development" | "test" | "staging" | "production";
  ADMIN_EMAILS: string;
  ALLOWED_ORIGINS: string;
  PUBLIC_BASE_URL: string;
  EMAIL_FROM: string;
  INBOUND_EMAIL_DOMAIN: string;
  MAX_BODY_BYTES: string;
  RATE_LIMIT_PER_MINUTE: string;
  /** Optional multiplier of the identity abuse limits (login, register…) for load tests; ignored in production. */
  AUTH_LIMIT_MULTIPLIER?: string;
  /**
   * How long an isolate trusts a session/API key lookup, ms (src/lib/credential-cache.ts): the bound within which a
   * revocation made outside this isolate applies. Default 2000; "0" reads D1 on every request.
   */
  AUTH_CACHE_TTL_MS?: string;
  /**
   * "all": one JSON log line per request. Otherwise only failed (status ≥ 400) and slow requests get one
   * (src/lib/request-context.ts): the platform's invocation log records every request.
   */
  LOG_REQUESTS?: string;
  ANCHOR_NETWORKS: string;
  /** "true" lets webhook endpoints use http and private/loopback addresses (development, tests); off in production. */
  WEBHOOK_ALLOW_PRIVATE_URLS?: string;
  /** Escrow commission in basis points (domain/money.ts). */
  ESCROW_COMMISSION_BPS: string;
  /** "paystack" or "test" (the local test provider; never in production). */
  PAYMENT_PROVIDER: string;
  PAYSTACK_BASE_URL: string;
  /** Minutes an unfunded escrow holds its reservation before it expires (default 60). */
  ESCROW_RESERVATION_MINUTES?: string;
  /** How many unfunded escrows one buyer may hold at once (default 5). */
  ESCROW_MAX_UNFUNDED?: string;
  /**
   * Where signing links point (lib/signing-link.ts): `{PUBLIC_BASE_URL}`, `{contractId}`, `{signerId}`, `{token}`;
   * default the hosted page `{PUBLIC_BASE_URL}/sign/{contractId}?token={token}`.
   */
  SIGNING_URL_TEMPLATE?: string;
  /** Hours a report export (POST /reports) and its file are kept before the cron removes them (default 24). */
  REPORT_TTL_HOURS?: string;
  /** "twilio", "africastalking" or "test" (dev mailbox); unset: "test" in development/test, no SMS elsewhere. */
  SMS_PROVIDER?: string;
  /** Sender: a Twilio number (E.164) or Messaging Service SID; an Africa's Talking sender id/short code (optional). */
  SMS_FROM?: string;
  TWILIO_ACCOUNT_SID?: string;
  /** Overrides https://api.twilio.com (tests point it at a local stand-in). */
  TWILIO_BASE_URL?: string;
  AFRICASTALKING_USERNAME?: string;
  /** https://api.sandbox.africastalking.com for the sandbox app; default https://api.africastalking.com. */
  AFRICASTALKING_BASE_URL?: string;
  /**
   * Sign in with Google, Microsoft, LinkedIn (src/lib/oidc.ts): a provider is enabled when its client id and secret
   * are set. `_ISSUER` overrides where discovery starts (defaults in src/domain/oidc.ts).
   */
  OIDC_GOOGLE_ISSUER?: string;
  OIDC_GOOGLE_CLIENT_ID?: string;
  OIDC_MICROSOFT_ISSUER?: string;
  OIDC_MICROSOFT_CLIENT_ID?: string;
  OIDC_LINKEDIN_ISSUER?: string;
  OIDC_LINKEDIN_CLIENT_ID?: string;
  /** Comma-separated redirect URIs the authorize endpoint accepts (`{provider}` filled in); the first is the default. */
  OIDC_REDIRECT_URIS?: string;
  /** Comma-separated origins `returnTo` may point at; default ALLOWED_ORIGINS. */
  OIDC_RETURN_TO_ORIGINS?: string;
  /** "true" lets issuers use http:// (a loopback test provider); ignored in production. */
  OIDC_ALLOW_INSECURE_ISSUERS?: string;

  // secrets (.dev.vars locally, `wrangler secret put` in production)
  JWT_PRIVATE_KEY: string;
  /** Optional: the previous signing key's public JWK during a rotation, still accepted and published in the JWKS. */
  JWT_PREVIOUS_PUBLIC_KEY?: string;
  VAULT_KEK: string;
  /** Optional: the previous vault KEK during a rotation (src/jobs/escrow-vault-rotation.ts), still accepted to open. */
  VAULT_KEK_PREVIOUS?: string;
  ANCHOR_PRIVATE_KEY: string;
  PAYSTACK_SECRET_KEY: string;
  METRICS_TOKEN: string;
  TWILIO_AUTH_TOKEN?: string;
  AFRICASTALKING_API_KEY?: string;
  /** PAdES sealing key of the executed PDFs and certificates: PKCS #8 PEM, RSA (src/lib/pdf-seal.ts). Without it
   * (and SEALING_CERT) documents go out unsealed. */
  SEALING_KEY?: string;
  /** The sealing certificate (PEM) followed by its issuing CA certificate(s). */
  SEALING_CERT?: string;
  /** RFC 3161 Time-Stamping Authority for the seal's timestamp (PAdES B-T); without it the seal is B-B. */
  TSA_URL?: string;
  OIDC_GOOGLE_CLIENT_SECRET?: string;
  OIDC_MICROSOFT_CLIENT_SECRET?: string;
  OIDC_LINKEDIN_CLIENT_SECRET?: string;
}

/** Who is calling, once authenticated (set by the auth middleware). */
export interface Principal {
  userId: string;
  role: "super_admin" | "admin" | "user" | "viewer";
  sessionId: string | null;
  /** API key scopes; null for a user session (bounded by role only). */
  scopes: string[] | null;
  apiKeyId: string | null;
  /** The partner authorization (oauth_grants) an OAuth access token `eoa_…` acts under; absent otherwise. */
  oauthGrantId?: string | null;
}

export interface Variables {
  requestId: string;
  principal?: Principal;
  /** The contract party a valid X-Signing-Token acts for (lib/signing-access.ts), on the routes that accept it. */
  signingParty?: { contractId: string; signerId: string };
  /** Matched route pattern for logs, e.g. /api/v1/contracts/:id */
  routePath?: string;
  /** The request authenticated with METRICS_TOKEN (lib/auth.ts); only the metrics route accepts it. */
  metricsToken?: boolean;
  /** Set by `secretResponse` (lib/idempotency.ts): this route's success carries a secret, never kept for replay. */
  secretResponse?: boolean;
  /** Set by `sessionTokenResponse` (lib/idempotency.ts): session tokens, never kept; the key is released. */
  sessionTokenResponse?: boolean;
}

export type AppEnv = { Bindings: Bindings; Variables: Variables };

declare global {
  namespace Cloudflare {
    interface GlobalProps {
      mainModule: typeof import("./index");
    }
    interface Env extends Bindings {
      TEST_MIGRATIONS?: import("cloudflare:test").D1Migration[];
      ANVIL_RPC_URL?: string;
      ANVIL_ISOLATED_RPC_URL?: string;
      /** Tests only: the Anvil node of test/cron/anchor-scale.test.ts (a chain id of its own). */
      ANVIL_SCALE_RPC_URL?: string;
      /** Tests only: the loopback receiver for partner webhook deliveries (test/node/webhook-receiver.ts). */
      WEBHOOK_RECEIVER_URL?: string;
      /** Tests only: poppler's pdftotext/pdftoppm over loopback (test/node/pdf-tools.ts). */
      PDF_TOOLS_URL?: string;
      /** Tests only: the loopback OpenID Provider's control surface (test/node/oidc-provider.ts). */
      OIDC_TEST_PROVIDER_URL?: string;
    }
  }
}
