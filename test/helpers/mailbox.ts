// Tests read the emails the Worker sent through GET /api/v1/dev/mailbox, waiting for the queue to deliver them.
import { call } from "./http";

export interface MailboxEmail {
  to: string;
  subject: string;
  text: string;
  html: string;
  sentAt: string;
}

/** Every email to `to`, newest first (first page of 100). */
export async function listEmails(to: string): Promise<MailboxEmail[]> {
  const res = await call<MailboxEmail[]>("GET", `/api/v1/dev/mailbox?to=${encodeURIComponent(to)}&perPage=100`);
  if (res.status !== 200) throw new Error(`dev mailbox answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body.data;
}

/**
 * Polls the dev mailbox until an email to `to` (whose subject contains `subject` or matches it, if given)
 * arrives, and returns the newest such email. Fails after `timeoutMs`.
 */
export async function waitForEmail(options: {
  to: string;
  subject?: string | RegExp;
  timeoutMs?: number;
}): Promise<MailboxEmail> {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  const matches = (email: MailboxEmail) =>
    options.subject === undefined ||
    (typeof options.subject === "string"
      ? email.subject.includes(options.subject)
      : options.subject.test(email.subject));
  for (;;) {
    const found = (await listEmails(options.to)).find(matches);
    if (found) return found;
    if (Date.now() > deadline) {
      throw new Error(
        `no email to ${options.to}${options.subject ? ` with subject ${options.subject}` : ""} arrived in time`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
