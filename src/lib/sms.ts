// SMS behind one interface, like email: Africa's Talking or Twilio at their documented HTTP APIs, chosen by
// SMS_PROVIDER; the dev mailbox in development/test (GET /dev/mailbox?to=+234…), and nothing when unconfigured.
import type { Bindings } from "../env";
import { storeInDevMailbox } from "../db/dev-mailbox";
import { newId } from "./ids";
import { usesDevMailbox } from "./mailer";
import { enqueueJob } from "./jobs";

export interface OutgoingSms {
  /** E.164 recipient, e.g. `+2348012345678`. */
  to: string;
  text: string;
  /** Our id for this message: the dev mailbox stores it once, so a redelivered job cannot show it twice. */
  messageId: string;
}

export interface SmsProvider {
  readonly name: string;
  /** Resolves with the provider's message id; throws SmsError when the provider refused or could not be reached. */
  send(sms: OutgoingSms): Promise<{ providerMessageId: string | null }>;
}

/** A provider refused or failed the send; the message is safe to log (no credentials, no message text). */
export class SmsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SmsError";
  }
}

type Fetch = typeof fetch;

async function post(fetcher: Fetch, url: string, headers: Record<string, string>, form: Record<string, string>) {
  try {
    return await fetcher(url, {
      method: "POST",
      headers: { ...headers, "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
      body: new URLSearchParams(form).toString(),
    });
  } catch (error) {
    throw new SmsError(`SMS provider unreachable: ${error instanceof Error ? error.message : String(error)}`);
  }
}

export interface TwilioConfig {
  accountSid: string;
  authToken: string;
  /** A Twilio number in E.164, or a Messaging Service SID (`MG…`). */
  from: string;
  baseUrl?: string;
  fetch?: Fetch;
}

/**
 * Twilio Programmable Messaging: `POST /2010-04-01/Accounts/{AccountSid}/Messages.json`, form fields `To`, `Body`
 * and `From` (or `MessagingServiceSid`), HTTP Basic auth `AccountSid:AuthToken`; 201 with `{ sid, status }`,
 * errors as `{ code, message, status }` (Twilio docs: "Create a Message resource").
 */
export function twilioSms(config: TwilioConfig): SmsProvider {
  const base = (config.baseUrl ?? "https://api.twilio.com").replace(/\/+$/, "");
  const fetcher = config.fetch ?? fetch;
  return {
    name: "twilio",
    async send(sms) {
      const sender: Record<string, string> = config.from.startsWith("MG")
        ? { MessagingServiceSid: config.from }
        : { From: config.from };
      const res = await post(
        fetcher,
        `${base}/2010-04-01/Accounts/${encodeURIComponent(config.accountSid)}/Messages.json`,
        { authorization: `Basic ${btoa(`${config.accountSid}:${config.authToken}`)}` },
        { To: sms.to, Body: sms.text, ...sender },
      );
      const body = (await res.json().catch(() => null)) as { sid?: string; code?: number; message?: string } | null;
      if (!res.ok || !body?.sid) {
        const reason = `${body?.code ?? ""} ${body?.message ?? ""}`.trim();
        throw new SmsError(`Twilio refused the SMS: HTTP ${res.status} ${reason}`.trim());
      }
      return { providerMessageId: body.sid };
    },
  };
}

export interface AfricasTalkingConfig {
  username: string;
  apiKey: string;
  /** Optional registered sender id or short code; without it the provider's default sender is used. */
  from?: string;
  /** https://api.africastalking.com in production, https://api.sandbox.africastalking.com for the sandbox app. */
  baseUrl?: string;
  fetch?: Fetch;
}

/** Africa's Talking recipient status codes that mean the message was accepted: Processed, Sent, Queued. */
const AT_ACCEPTED = new Set([100, 101, 102]);

/**
 * Africa's Talking SMS: `POST /version1/messaging`, form fields `username`, `to`, `message` (and `from`), header
 * `apiKey`; 201 with `SMSMessageData.Recipients[]` whose `statusCode` 100–102 means accepted (Africa's Talking
 * docs: "SMS › Sending").
 */
export function africasTalkingSms(config: AfricasTalkingConfig): SmsProvider {
  const base = (config.baseUrl ?? "https://api.africastalking.com").replace(/\/+$/, "");
  const fetcher = config.fetch ?? fetch;
  return {
    name: "africastalking",
    async send(sms) {
      const res = await post(
        fetcher,
        `${base}/version1/messaging`,
        { apiKey: config.apiKey },
        { username: config.username, to: sms.to, message: sms.text, ...(config.from ? { from: config.from } : {}) },
      );
      const text = await res.text();
      type Recipient = { statusCode?: number; status?: string; messageId?: string };
      let body: { SMSMessageData?: { Message?: string; Recipients?: Recipient[] } } | null = null;
      try {
        body = JSON.parse(text);
      } catch {
        body = null; // errors such as a bad apiKey answer in plain text
      }
      const recipient = body?.SMSMessageData?.Recipients?.[0];
      if (!res.ok || !recipient || !AT_ACCEPTED.has(Number(recipient.statusCode))) {
        const reason = recipient?.status ?? body?.SMSMessageData?.Message ?? text.slice(0, 200);
        throw new SmsError(`Africa's Talking refused the SMS: HTTP ${res.status} ${reason}`.trim());
      }
      return { providerMessageId: recipient.messageId ?? null };
    },
  };
}

/** Development/test: the SMS lands in the dev mailbox (subject "SMS"), readable at GET /dev/mailbox?to=<phone>. */
export function devMailboxSms(d1: D1Database): SmsProvider {
  return {
    name: "dev-mailbox",
    async send(sms) {
      const message = { deliveryId: sms.messageId, to: sms.to, from: "sms", subject: "SMS", text: sms.text, html: "" };
      return { providerMessageId: await storeInDevMailbox(d1, message) };
    },
  };
}

type SmsEnv = Pick<
  Bindings,
  | "DB"
  | "ENVIRONMENT"
  | "SMS_PROVIDER"
  | "SMS_FROM"
  | "TWILIO_ACCOUNT_SID"
  | "TWILIO_AUTH_TOKEN"
  | "TWILIO_BASE_URL"
  | "AFRICASTALKING_USERNAME"
  | "AFRICASTALKING_API_KEY"
  | "AFRICASTALKING_BASE_URL"
>;

/**
 * The configured provider, or null when SMS is off. SMS_PROVIDER = `twilio` | `africastalking` | `test` (the dev
 * mailbox; refused in production); unset means `test` in development/test and no SMS elsewhere. A provider whose
 * credentials are missing counts as not configured.
 */
export function smsProviderFor(env: SmsEnv, fetcher?: Fetch): SmsProvider | null {
  const choice = env.SMS_PROVIDER?.trim() || (usesDevMailbox(env) ? "test" : "");
  if (choice === "twilio" && env.TWILIO_ACCOUNT_SID && env.TWILIO_AUTH_TOKEN && env.SMS_FROM) {
    return twilioSms({
      accountSid: env.TWILIO_ACCOUNT_SID,
      authToken: env.TWILIO_AUTH_TOKEN,
      from: env.SMS_FROM,
      baseUrl: env.TWILIO_BASE_URL,
      fetch: fetcher,
    });
  }
  if (choice === "africastalking" && env.AFRICASTALKING_USERNAME && env.AFRICASTALKING_API_KEY) {
    return africasTalkingSms({
      username: env.AFRICASTALKING_USERNAME,
      apiKey: env.AFRICASTALKING_API_KEY,
      from: env.SMS_FROM || undefined,
      baseUrl: env.AFRICASTALKING_BASE_URL,
      fetch: fetcher,
    });
  }
  if (choice === "test" && env.ENVIRONMENT !== "production") return devMailboxSms(env.DB);
  return null;
}

export const SMS_SEND_JOB = "sms.send";

/**
 * Queues an SMS for the sms.send job, which retries with backoff while the provider fails, so a provider outage
 * delays a one-time code instead of losing it. The text travels only in the queue message (never stored in D1).
 */
export async function queueSms(env: Bindings, sms: { to: string; text: string }): Promise<{ messageId: string }> {
  const messageId = newId("sms");
  await enqueueJob(env, SMS_SEND_JOB, { to: sms.to, text: sms.text, messageId }, { id: messageId });
  return { messageId };
}
