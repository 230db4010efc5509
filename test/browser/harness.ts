// Browser tests' world, in Node: a throwaway `wrangler dev` (own state directory and port, the deploy bundle as
// built) whose links point at itself, an API client, the dev mailbox, and Debian's chromium driven by
// playwright-core (PLATFORM-NOTES: Playwright's own browser download is not reachable).
import { createHmac, hkdfSync } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser } from "playwright-core";
import { freePort } from "../../scripts/lib/ports.ts";
import { ProcessGroup, ROOT } from "../../scripts/lib/processes.ts";
import { buildSignAssets } from "../../scripts/lib/sign-assets.ts";
import { applyLocalMigrations, ensureDevVars, startWorker, DEV_VARS } from "../../scripts/lib/worker.ts";

export const CHROMIUM = "/usr/bin/chromium";
/** Screenshots and downloads of the browser tests (git-ignored with the rest of .bench/). */
export const ARTIFACTS = join(ROOT, ".bench", "browser");

export interface World {
  baseUrl: string;
  browser: Browser;
  /** The Worker's VAULT_KEK (from .dev.vars), to mint a signing token that has already expired. */
  vaultKek: string;
  stop(): Promise<void>;
}

export async function startWorld(): Promise<World> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const runDir = mkdtempSync(join(ROOT, ".bench", "browser-run-"));
  const group = new ProcessGroup();
  let browser: Browser | null = null;
  const stop = async () => {
    await browser?.close().catch(() => {});
    await group.stop();
    rmSync(runDir, { recursive: true, force: true });
  };
  try {
    ensureDevVars();
    await buildSignAssets();
    const stateDir = join(runDir, "state");
    mkdirSync(stateDir);
    await applyLocalMigrations({ persistTo: stateDir, quiet: true });
    const port = await freePort();
    const baseUrl = await startWorker(group, {
      port,
      inspectorPort: await freePort(),
      persistTo: stateDir,
      quiet: true,
      logLevel: "warn",
      vars: {
        PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
        RATE_LIMIT_PER_MINUTE: "1000000",
        AUTH_LIMIT_MULTIPLIER: "1000000",
      },
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    // Written by scripts/lib/dev-secrets.ts toDotenv: KEY='value' (base64 needs no escaping).
    const vaultKek = /^\s*VAULT_KEK\s*=\s*['"]?([^'"\n]+)['"]?/m.exec(readFileSync(DEV_VARS, "utf8"))?.[1] ?? "";
    return { baseUrl, browser, vaultKek, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

export interface MailboxEmail {
  to: string;
  subject: string;
  text: string;
  html: string;
  sentAt: string;
}

export class Api {
  constructor(readonly baseUrl: string) {}

  async call(method: string, path: string, options: { body?: unknown; token?: string } = {}) {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...(options.body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    // Envelopes are asserted field by field, so they stay loosely typed here.
    const body = (await res.json()) as { success: boolean; data: any; error?: { code: string; message: string } };
    return { status: res.status, body };
  }

  async emails(to: string): Promise<MailboxEmail[]> {
    const res = await this.call("GET", `/api/v1/dev/mailbox?to=${encodeURIComponent(to)}&perPage=100`);
    if (res.status !== 200) throw new Error(`dev mailbox answered ${res.status}`);
    return res.body.data as MailboxEmail[];
  }

  /** Polls the dev mailbox (the queue delivers within seconds) for the newest email to `to` matching `subject`. */
  async waitForEmail(to: string, subject: RegExp, timeoutMs = 60_000): Promise<MailboxEmail> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = (await this.emails(to)).find((e) => subject.test(e.subject));
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no email to ${to} matching ${subject}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** A verified, logged-in account: register, the code from the mailbox, verify, log in. */
  async user(name: string): Promise<{ id: string; email: string; token: string }> {
    const email = `${name.toLowerCase().replace(/\W+/g, "-")}-${crypto.randomUUID().slice(0, 8)}@example.com`;
    const password = `pw-${crypto.randomUUID()}`;
    const registered = await this.call("POST", "/api/v1/auth/register", { body: { email, password, name } });
    if (registered.status !== 201) throw new Error(`register: ${registered.status} ${JSON.stringify(registered.body)}`);
    const mail = await this.waitForEmail(email, /verification code/);
    const code = /\b(\d{6})\b/.exec(mail.text)?.[1];
    await this.call("POST", "/api/v1/auth/verify-email", { body: { email, code } });
    const login = await this.call("POST", "/api/v1/auth/login", { body: { email, password } });
    if (login.status !== 200) throw new Error(`login: ${login.status} ${JSON.stringify(login.body)}`);
    return { id: login.body.data.user.id as string, email, token: login.body.data.accessToken as string };
  }
}

/** The signing link in an email: the href of its button (never a raw token in the text). */
export function signingLink(email: MailboxEmail): string {
  const href = /href="([^"]*\/sign\/[^"]+)"/.exec(email.html)?.[1];
  if (!href) throw new Error(`no signing link in: ${email.html.slice(0, 500)}`);
  return href.replaceAll("&amp;", "&");
}

/**
 * A signing token as src/lib/signing-token.ts makes it (HKDF-SHA256 key from VAULT_KEK, HMAC-SHA256 over
 * `est1.<claims>`), minted here in Node to get one that has already expired; the tests check the Worker accepts
 * an unexpired one made the same way, so the two cannot drift apart unnoticed.
 */
export function mintSigningToken(vaultKek: string, contractId: string, signerId: string, expiresAt: Date): string {
  const key = Buffer.from(
    hkdfSync("sha256", Buffer.from(vaultKek.trim(), "base64"), Buffer.alloc(0), "escra:signing-token:v1", 32),
  );
  const body = Buffer.from(
    JSON.stringify({ contractId, signerId, exp: Math.floor(expiresAt.getTime() / 1000) }),
  ).toString("base64url");
  const tag = createHmac("sha256", key).update(`est1.${body}`).digest("base64url");
  return `est1.${body}.${tag}`;
}
