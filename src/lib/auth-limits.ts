// Abuse limits of the identity routes: per client IP and per target account (email or user), on top of the
// global API limit. They fail closed: if the limiter is down, these routes answer 503/500 rather than allow
// unlimited password guessing.
import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv, Bindings } from "../env";
import { clientIp, enforceRateLimit, rateLimit } from "./rate-limit";
import { emailBucket } from "./identity-secrets";

interface Limit {
  limit: number;
  windowSeconds: number;
}

/** Per-IP allowances are generous enough for an office behind one NAT; per-account ones are tight. */
export const AUTH_LIMITS = {
  register: { ip: { limit: 20, windowSeconds: 3600 } },
  login: { ip: { limit: 30, windowSeconds: 60 }, account: { limit: 20, windowSeconds: 900 } },
  verifyEmail: { ip: { limit: 30, windowSeconds: 600 }, account: { limit: 10, windowSeconds: 600 } },
  resendVerification: { ip: { limit: 20, windowSeconds: 3600 }, account: { limit: 5, windowSeconds: 3600 } },
  passwordReset: { ip: { limit: 20, windowSeconds: 3600 }, account: { limit: 5, windowSeconds: 3600 } },
  passwordResetConfirm: { ip: { limit: 20, windowSeconds: 600 } },
  refresh: { ip: { limit: 60, windowSeconds: 60 } },
  /** SMS codes cost money and reach a stranger's phone if the number is wrong: few per hour per user. */
  sendPhoneCode: { account: { limit: 5, windowSeconds: 3600 } },
  verifyPhone: { account: { limit: 10, windowSeconds: 600 } },
  /** Code/password checks by an authenticated user (MFA verify/disable, password change). */
  userSecretCheck: { account: { limit: 10, windowSeconds: 900 } },
  /** External sign-in (OpenID Connect): starting a flow, its callback, and the MFA step after it. */
  oidcAuthorize: { ip: { limit: 30, windowSeconds: 60 } },
  oidcCallback: { ip: { limit: 30, windowSeconds: 60 } },
  loginChallenge: { ip: { limit: 30, windowSeconds: 60 }, account: { limit: 10, windowSeconds: 900 } },
} as const satisfies Record<string, { ip?: Limit; account?: Limit }>;

export type AuthLimitName = keyof typeof AUTH_LIMITS;

/** Load tests (npm run bench) raise the limits; production always uses them as written. */
function scaled(limit: Limit): { limit: (env: Bindings) => number; windowSeconds: number } {
  return {
    windowSeconds: limit.windowSeconds,
    limit: (env) => {
      const factor = Number(env.AUTH_LIMIT_MULTIPLIER ?? "1");
      return env.ENVIRONMENT === "production" || !Number.isFinite(factor) || factor < 1
        ? limit.limit
        : Math.floor(limit.limit * factor);
    },
  };
}

/** Per-IP limit as route middleware: it runs before body validation, so malformed floods are counted too. */
export function ipLimit(name: AuthLimitName): MiddlewareHandler<AppEnv> {
  const limits: { ip?: Limit; account?: Limit } = AUTH_LIMITS[name];
  if (!limits.ip) throw new Error(`No per-IP limit named ${name}`);
  return rateLimit({ name: `auth-${name}-ip`, ...scaled(limits.ip), key: (c) => `ip:${clientIp(c)}` });
}

/**
 * Counts the request against the named per-account limit (429 RATE001 when exhausted). `account` is a
 * normalised email (anonymous routes) or a user id (authenticated ones).
 */
export async function limitAccount(
  c: Context<AppEnv>,
  name: AuthLimitName,
  account: { email: string } | { userId: string },
) {
  const limits: { ip?: Limit; account?: Limit } = AUTH_LIMITS[name];
  if (!limits.account) throw new Error(`No per-account limit named ${name}`);
  const key = "email" in account ? emailBucket(c.env, account.email) : `usr:${account.userId}`;
  await enforceRateLimit(c, { name: `auth-${name}-account`, ...scaled(limits.account), key: () => key });
}
