import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { sendEmail } from "../../src/lib/email";
import { waitForEmail } from "../helpers/mailbox";

describe("sendEmail", () => {
  it("delivers through the JOBS queue into the dev mailbox with text and html, and records the delivery as sent", async () => {
    const { id } = await sendEmail(env, {
      to: "Ada@Example.com",
      template: "notice",
      data: { subject: "Welcome aboard", heading: "Hello <Ada>", lines: ["Your contract is ready & waiting."] },
    });
    const email = await waitForEmail({ to: "ada@example.com", subject: "Welcome" });
    expect(email.subject).toBe("Welcome aboard");
    expect(email.text).toContain("Your contract is ready & waiting.");
    expect(email.html).toContain("Hello &lt;Ada&gt;");
    expect(email.html).not.toContain("<Ada>");
    const row = await env.DB.prepare("SELECT status, attempts, sent_at FROM email_deliveries WHERE id = ?")
      .bind(id)
      .first();
    expect(row).toMatchObject({ status: "sent", attempts: 1 });
    expect(row!.sent_at).toEqual(expect.any(String));
  });
});
