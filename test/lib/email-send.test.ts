// sendEmail's own checks: the delivery row it records, and the refusals that come before anything is written.
import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { sendEmail } from "../../src/lib/email";
import { EmailTemplateError } from "../../src/domain/email-templates";

// Addresses only this file writes to: other files' mail (and their queue jobs still sending it) share the table.
const tag = crypto.randomUUID().slice(0, 8);
const address = `q-${tag}@example.com`;
const notAnAddress = `not an address ${tag}`;

/** Deliveries recorded for this file's addresses. */
const count = async () =>
  (await env.DB.prepare('SELECT COUNT(*) AS n FROM email_deliveries WHERE "to" IN (?, ?)')
    .bind(address, notAnAddress)
    .first<{ n: number }>())!.n;

describe("sendEmail input checks", () => {
  it("records who the delivery is for and which template it uses", async () => {
    const { id } = await sendEmail(env, {
      to: address,
      template: "notice",
      data: { subject: "S", heading: "H" },
      userId: "usr_x",
    });
    const row = await env.DB.prepare("SELECT status, attempts, user_id, template FROM email_deliveries WHERE id = ?")
      .bind(id)
      .first();
    // The queue consumer may already have run; either way the row was created as the job's input.
    expect(row).toMatchObject({ user_id: "usr_x", template: "notice" });
    expect(["queued", "sent"]).toContain(row!.status);
    expect(id).toMatch(/^eml_/);
  });

  it("refuses bad template data or a bad address before writing anything", async () => {
    const before = await count();
    await expect(
      // @ts-expect-error — typed callers cannot do this; the runtime check guards the rest
      sendEmail(env, { to: address, template: "notice", data: { heading: "H" } }),
    ).rejects.toThrow(EmailTemplateError);
    await expect(
      sendEmail(env, { to: notAnAddress, template: "notice", data: { subject: "S", heading: "H" } }),
    ).rejects.toThrow();
    // @ts-expect-error — unknown template
    await expect(sendEmail(env, { to: address, template: "nope", data: {} })).rejects.toThrow(EmailTemplateError);
    expect(await count()).toBe(before);
  });
});
