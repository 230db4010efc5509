// The email provider interface: the dev mailbox (a D1 table) in development/test, Cloudflare's send_email binding elsewhere.
import type { Bindings } from "../env";
import { storeInDevMailbox } from "../db/dev-mailbox";
import { LINE_BREAKING } from "../domain/one-line-text";

export interface OutgoingEmail {
  /** The delivery id; providers use it to make a repeated send a no-op where they can. */
  deliveryId: string;
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface Mailer {
  readonly name: string;
  send(email: OutgoingEmail): Promise<{ providerMessageId: string | null }>;
}

/** A provider refused or failed the send; the message is safe to store as the delivery's failure reason. */
export class MailerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MailerError";
  }
}

export function usesDevMailbox(env: Pick<Bindings, "ENVIRONMENT">): boolean {
  return env.ENVIRONMENT === "development" || env.ENVIRONMENT === "test";
}

export function mailerFor(env: Bindings): Mailer {
  return singleLineHeaders(usesDevMailbox(env) ? devMailboxMailer(env.DB) : cloudflareMailer(env.MAILER));
}

/**
 * Line breaks and other control characters a header may not hold: CR and LF end a header line (RFC 5322 §2.2), so
 * one inside a subject would start new headers (`Bcc:`) or the body; NEL and the Unicode separators do the same in
 * some clients. Tabs count too: folding whitespace is the encoder's business, not the caller's.
 */
const HEADER_BREAKING = new RegExp(`${LINE_BREAKING.source}+`, "g");

/** A header value on one line: every run of control characters becomes one space; trimmed. */
export function singleLineHeader(value: string): string {
  return value.replace(HEADER_BREAKING, " ").replace(/ {2,}/g, " ").trim();
}

/**
 * Wraps a provider so every header value it is given is single-line, whatever a template or a user-supplied
 * title put in it: the subject and display names are flattened; an address with a control character is refused
 * (MailerError), because a cleaned-up address would be someone else's.
 */
export function singleLineHeaders(provider: Mailer): Mailer {
  return {
    name: provider.name,
    async send(email) {
      for (const [field, value] of [
        ["to", email.to],
        ["deliveryId", email.deliveryId],
      ] as const) {
        if (new RegExp(HEADER_BREAKING.source).test(value)) {
          throw new MailerError(`the ${field} header holds a control character`);
        }
      }
      const from = singleLineHeader(email.from);
      return provider.send({ ...email, from, subject: singleLineHeader(email.subject) });
    },
  };
}

/** Stores the message for GET /dev/mailbox; unique per delivery, so a redelivered job cannot add it twice. */
export function devMailboxMailer(d1: D1Database): Mailer {
  return {
    name: "dev-mailbox",
    async send(email) {
      const { deliveryId, to, from, subject, text, html } = email;
      return { providerMessageId: await storeInDevMailbox(d1, { deliveryId, to, from, subject, text, html }) };
    },
  };
}

/** Cloudflare Email Workers `send_email` binding, using its structured builder (it composes the MIME). */
export function cloudflareMailer(binding: SendEmail | undefined): Mailer {
  return {
    name: "cloudflare-email",
    async send(email) {
      if (!binding) throw new MailerError("email provider not configured (MAILER binding missing)");
      try {
        const result = await binding.send({
          from: parseAddress(email.from),
          to: email.to,
          subject: email.subject,
          text: email.text,
          html: email.html,
          headers: { "X-Escra-Delivery": email.deliveryId },
        });
        return { providerMessageId: result?.messageId ?? null };
      } catch (err) {
        // Provider errors carry SMTP-ish reasons ("destination address not verified"); keep them short.
        throw new MailerError(
          `provider rejected the message: ${err instanceof Error ? err.message : String(err)}`.slice(0, 500),
        );
      }
    },
  };
}

/** `Escra <no-reply@escra.io>` → { name, email }; a bare address stays a string. */
export function parseAddress(value: string): string | EmailAddress {
  const match = /^\s*(.*?)\s*<([^>]+)>\s*$/.exec(value);
  if (!match) return value.trim();
  const name = match[1]!.replace(/^"|"$/g, "");
  return name ? { name, email: match[2]!.trim() } : match[2]!.trim();
}
