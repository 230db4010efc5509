import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { sendEmail } from "../../src/lib/email";
import { EmailTemplateError } from "../../src/domain/email-templates";

const count = async () =>
  (await env.DB.prepare("SELECT COUNT(*) AS n FROM email_deliveries").first<{ n: number }>())!.n;

describe("sendEmail input checks", () => {
  it("records who the delivery is for and which template it uses", async () => {
    const { id } = await sendEmail(env, {
      to: "q@example.com",
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
      sendEmail(env, { to: "q@example.com", template: "notice", data: { heading: "H" } }),
    ).rejects.toThrow(EmailTemplateError);
    await expect(
      sendEmail(env, { to: "not an address", template: "notice", data: { subject: "S", heading: "H" } }),
    ).rejects.toThrow();
    // @ts-expect-error — unknown template
    await expect(sendEmail(env, { to: "q@example.com", template: "nope", data: {} })).rejects.toThrow(
      EmailTemplateError,
    );
    expect(await count()).toBe(before);
  });
});
