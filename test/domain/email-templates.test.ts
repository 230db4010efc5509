import { describe, expect, it } from "vitest";
import { EmailTemplateError, renderEmail, renderLayout, safeUrl } from "../../src/domain/email-templates";

const ctx = { baseUrl: "https://app.escra.test" };

describe("email templates", () => {
  it("render a text and an HTML part in the branded layout", () => {
    const email = renderEmail(
      "notice",
      {
        subject: "Contract signed",
        heading: "All parties signed",
        lines: ["Lease #4 is now active."],
        action: { label: "Open contract", url: "/contracts/ctr_1" },
      },
      ctx,
    );
    expect(email.subject).toBe("Contract signed");
    expect(email.text).toContain("All parties signed\n\nLease #4 is now active.");
    expect(email.text).toContain("Open contract: https://app.escra.test/contracts/ctr_1");
    expect(email.html).toContain("<!doctype html>");
    expect(email.html).toContain('href="https://app.escra.test/contracts/ctr_1"');
    expect(email.html).toContain(">Escra<");
  });

  it("escapes every piece of data in the HTML part", () => {
    const email = renderEmail(
      "notice",
      { subject: "<b>hi</b>", heading: `"><script>alert(1)</script>`, lines: ["Tom & Jerry's <deal>"] },
      ctx,
    );
    expect(email.html).not.toContain("<script>");
    expect(email.html).toContain("&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(email.html).toContain("Tom &amp; Jerry&#39;s &lt;deal&gt;");
    expect(email.html).toContain("<title>&lt;b&gt;hi&lt;/b&gt;</title>");
    expect(email.text).toContain("Tom & Jerry's <deal>");
  });

  it("drops action links that are not http(s)", () => {
    expect(safeUrl("javascript:alert(1)", ctx.baseUrl)).toBeNull();
    const email = renderLayout(
      { subject: "s", heading: "h", paragraphs: [], action: { label: "Click", url: "javascript:alert(1)" } },
      ctx,
    );
    expect(email.html).not.toContain("javascript:");
    expect(email.text).not.toContain("Click");
  });

  it("shows a one-time code in both parts", () => {
    const email = renderLayout({ subject: "Code", heading: "Verify", paragraphs: [], code: "123456" }, ctx);
    expect(email.text).toContain("Your code: 123456");
    expect(email.html).toContain("123456");
  });

  it("refuse unknown templates and bad data without echoing values", () => {
    expect(() => renderEmail("nope", {}, ctx)).toThrow(EmailTemplateError);
    expect(() => renderEmail("notice", { subject: "", heading: "secret-value" }, ctx)).toThrow(
      /invalid data for email template "notice": subject/,
    );
    expect(() => renderEmail("notice", { subject: "", heading: "secret-value" }, ctx)).not.toThrow(/secret-value/);
  });
});
