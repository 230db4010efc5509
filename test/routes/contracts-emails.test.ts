// What each party's inbox holds after a full contract lifecycle (issue 13.4): one email per party per event, every
// subject naming the contract, the signing request naming sender, message and document behind a button, and the
// executed document and certificate for every party — with an account or only a link.
import { describe, expect, it } from "vitest";
import { call } from "../helpers/http";
import { createUser } from "../helpers/users";
import { listEmails, waitForEmail, type MailboxEmail } from "../helpers/mailbox";

const TITLE = "Reseller agreement";

/** The token of the signing link in an email's text part (its button's URL). */
function linkToken(email: MailboxEmail): string {
  const m = /\/sign\/ctr_[0-9A-Za-z]{20}\?token=([^\s&]+)/.exec(email.text);
  if (!m) throw new Error(`no signing link in: ${email.text}`);
  return decodeURIComponent(m[1]!);
}

/** Every inbox, once nothing new has arrived for a while (the queue delivers notifications asynchronously). */
async function settledInboxes(addresses: string[]): Promise<Record<string, MailboxEmail[]>> {
  let last = "";
  for (let stable = 0; stable < 3; ) {
    await new Promise((r) => setTimeout(r, 700));
    const now = JSON.stringify(await Promise.all(addresses.map((a) => listEmails(a).then((l) => l.length))));
    stable = now === last ? stable + 1 : 0;
    last = now;
  }
  return Object.fromEntries(await Promise.all(addresses.map(async (a) => [a, await listEmails(a)] as const)));
}

describe("emails of a full contract lifecycle", () => {
  it("each party gets its request (or copy) and the executed document, once; the owner hears of the activation", async () => {
    const [owner, approver, signerWithAccount] = await Promise.all([
      createUser({ name: "Olivia Owner" }),
      createUser({ name: "Ann Approver" }),
      createUser({ name: "Sid Signer" }),
    ]);
    const linkSigner = `link-signer-${crypto.randomUUID().slice(0, 8)}@example.com`;
    const viewer = `viewer-${crypto.randomUUID().slice(0, 8)}@example.com`;
    const created = await call("POST", "/api/v1/contracts", {
      token: owner.accessToken,
      body: {
        title: TITLE,
        type: "reseller",
        body: "The reseller sells.",
        signers: [
          { email: approver.email, name: "Ann Approver", role: "approver", order: 1 },
          { email: signerWithAccount.email, name: "Sid Signer", order: 2 },
          { email: linkSigner, name: "Lee Link", order: 2 },
          { email: viewer, name: "Vic Viewer", role: "viewer", order: 3 },
        ],
      },
    });
    const id = created.body.data.id as string;
    const sent = await call("POST", `/api/v1/contracts/${id}/send`, {
      token: owner.accessToken,
      body: { message: "Signed copies by the 5th, please." },
    });
    expect(sent.status).toBe(200);

    const request = await waitForEmail({ to: approver.email, subject: `asks you to approve "${TITLE}"` });
    expect(request.subject).toBe(`Olivia Owner asks you to approve "${TITLE}"`);
    expect(request.text).toContain("Signed copies by the 5th, please.");
    expect(request.html).toMatch(/<a href="[^"]*\/sign\/ctr_[^"]+"[^>]*>Review and approve<\/a>/);
    expect((await call("POST", `/api/v1/contracts/${id}/approve`, { token: approver.accessToken })).status).toBe(200);

    const signerRequest = await waitForEmail({ to: signerWithAccount.email, subject: "asks you to sign" });
    expect(
      (
        await call("POST", `/api/v1/contracts/${id}/sign`, {
          token: signerWithAccount.accessToken,
          body: { signature: { type: "typed", value: "Sid Signer" }, consent: true },
        })
      ).status,
    ).toBe(200);
    expect(signerRequest.subject).toContain(TITLE);
    const linkRequest = await waitForEmail({ to: linkSigner, subject: "asks you to sign" });
    const done = await call("POST", `/api/v1/contracts/${id}/sign`, {
      headers: { "x-signing-token": linkToken(linkRequest) },
      body: { signature: { type: "typed", value: "Lee Link" }, consent: true },
    });
    expect(done.body.data.status).toBe("active");

    // Every party, account or link, gets the executed document and certificate as links it can use.
    for (const to of [approver.email, signerWithAccount.email, linkSigner, viewer]) {
      const executed = await waitForEmail({ to, subject: `Signed by everyone: "${TITLE}"` });
      expect(executed.text).toMatch(/download=executed/);
      expect(executed.text).toMatch(/download=certificate/);
      const certificate = await call("GET", `/api/v1/contracts/${id}/certificate`, {
        headers: { "x-signing-token": linkToken(executed) },
      });
      expect(certificate.status).toBe(200);
      // It goes out with the execution record, and states the hashes the certificate states.
      const executedHash = certificate.headers.get("x-executed-document-sha256")!;
      expect(executedHash).toMatch(/^[0-9a-f]{64}$/);
      expect(executed.text).toContain(executedHash);
      expect(executed.text).toContain(certificate.headers.get("x-execution-hash")!);
    }
    await waitForEmail({ to: owner.email, subject: `Contract "${TITLE}" is now active` });

    const inboxes = await settledInboxes([owner.email, approver.email, signerWithAccount.email, linkSigner, viewer]);
    const subjects = (to: string) =>
      inboxes[to]!.filter((e) => !/verification code/.test(e.subject))
        .map((e) => e.subject)
        .sort();
    expect(subjects(approver.email)).toEqual(
      [`Olivia Owner asks you to approve "${TITLE}"`, `Signed by everyone: "${TITLE}"`].sort(),
    );
    expect(subjects(signerWithAccount.email)).toEqual(
      [`Olivia Owner asks you to sign "${TITLE}"`, `Signed by everyone: "${TITLE}"`].sort(),
    );
    expect(subjects(linkSigner)).toEqual(
      [`Olivia Owner asks you to sign "${TITLE}"`, `Signed by everyone: "${TITLE}"`].sort(),
    );
    expect(subjects(viewer)).toEqual(
      [`Olivia Owner sent you a copy of "${TITLE}"`, `Signed by everyone: "${TITLE}"`].sort(),
    );
    expect(subjects(owner.email)).toEqual([`Contract "${TITLE}" is now active: every required party signed`]);
    for (const to of Object.keys(inboxes)) for (const s of subjects(to)) expect(s).toContain(TITLE);
  }, 120_000);

  it("a decline reaches every other party once, by the cancellation", async () => {
    const [owner, a, b] = await Promise.all([
      createUser({ name: "Olivia Owner" }),
      createUser({ name: "A" }),
      createUser({ name: "B" }),
    ]);
    const created = await call("POST", "/api/v1/contracts", {
      token: owner.accessToken,
      body: {
        title: "Short-lived deal",
        type: "deal",
        body: "Terms.",
        signers: [
          { email: a.email, name: "A" },
          { email: b.email, name: "B" },
        ],
      },
    });
    const id = created.body.data.id as string;
    await call("POST", `/api/v1/contracts/${id}/send`, { token: owner.accessToken, body: {} });
    expect(
      (await call("POST", `/api/v1/contracts/${id}/decline`, { token: a.accessToken, body: { reason: "price" } }))
        .status,
    ).toBe(200);
    await waitForEmail({ to: b.email, subject: 'Contract "Short-lived deal" was cancelled' });
    await waitForEmail({ to: owner.email, subject: 'Contract "Short-lived deal" was cancelled' });
    const inboxes = await settledInboxes([owner.email, a.email, b.email]);
    const subjects = (to: string) =>
      inboxes[to]!.filter((e) => !/verification code/.test(e.subject))
        .map((e) => e.subject)
        .sort();
    expect(subjects(b.email)).toEqual([
      'Contract "Short-lived deal" was cancelled',
      'Olivia Owner asks you to sign "Short-lived deal"',
    ]);
    expect(subjects(owner.email)).toEqual(['Contract "Short-lived deal" was cancelled']);
    // The one who declined knows; they get the request only.
    expect(subjects(a.email)).toEqual(['Olivia Owner asks you to sign "Short-lived deal"']);
  }, 120_000);
});
