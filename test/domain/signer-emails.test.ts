// The signer's emails and links as pure rules (issue 13.2, 13.4): the link template, the signing request and the
// executed-document email, one email per person per occurrence, and escrow subjects that name the escrow.
import { describe, expect, it } from "vitest";
import { renderEmail } from "../../src/domain/email-templates";
import { notificationEmailWanted } from "../../src/domain/notification-preferences";
import { notificationText } from "../../src/domain/notification-text";
import { signingUrl } from "../../src/lib/signing-link";

const TOKEN = "est1.eyJjIjoxfQ.tag_value-x";
const party = { contractId: "ctr_0123456789abcdefghij", signerId: "sig_0123456789abcdefghij", token: TOKEN };
const ctx = { baseUrl: "https://escra.example" };

describe("signing links", () => {
  it("default to the hosted page with the token URL-encoded", () => {
    expect(signingUrl({ PUBLIC_BASE_URL: "https://escra.example/" }, party)).toBe(
      `https://escra.example/sign/${party.contractId}?token=${encodeURIComponent(TOKEN)}`,
    );
  });

  it("follow SIGNING_URL_TEMPLATE to the integrator's own frontend", () => {
    const env = {
      PUBLIC_BASE_URL: "https://api.example",
      SIGNING_URL_TEMPLATE: "https://app.example/c/{contractId}/s/{signerId}?t={token}",
    };
    expect(signingUrl(env, party)).toBe(
      `https://app.example/c/${party.contractId}/s/${party.signerId}?t=${encodeURIComponent(TOKEN)}`,
    );
  });

  it("fall back to the hosted page when the template could not work (no {token}, not http)", () => {
    for (const template of ["https://app.example/sign", "javascript:alert({token})", "  "]) {
      expect(signingUrl({ PUBLIC_BASE_URL: "https://escra.example", SIGNING_URL_TEMPLATE: template }, party)).toContain(
        "https://escra.example/sign/",
      );
    }
  });
});

const request = (over: Record<string, unknown> = {}) => ({
  kind: "request",
  role: "signer",
  title: "Consulting agreement",
  recipientName: "Sam",
  senderName: "Olivia Owner",
  senderEmail: "olivia@example.com",
  message: "Please sign by Friday.",
  deadline: "2026-12-04T17:00:00.000Z",
  url: `https://escra.example/sign/${party.contractId}?token=${encodeURIComponent(TOKEN)}`,
  documentHash: "a".repeat(64),
  ...over,
});

describe("the signing request email", () => {
  it("names the sender, their message, the document and the deadline, behind a button", () => {
    const email = renderEmail("signing-request", request(), ctx);
    expect(email.subject).toBe('Olivia Owner asks you to sign "Consulting agreement"');
    for (const part of [email.text, email.html]) {
      expect(part).toContain("Olivia Owner (olivia@example.com) asks you to sign");
      expect(part).toContain("Please sign by Friday.");
      expect(part).toContain("2026-12-04 17:00 UTC");
    }
    expect(email.html).toMatch(/<a href="https:\/\/escra\.example\/sign\/ctr_[^"]+"[^>]*>Review and sign<\/a>/);
  });

  it("never prints the token on its own, only inside the link", () => {
    const email = renderEmail("signing-request", request(), ctx);
    const withoutLinks = email.text.replaceAll(/https?:\/\/\S+/g, "");
    expect(withoutLinks).not.toContain("est1.");
    expect(email.text).not.toMatch(/token[^=\n]*: /i);
  });

  it("says approve to approvers, Reminder: on reminders, and a copy to viewers", () => {
    expect(renderEmail("signing-request", request({ role: "approver" }), ctx).subject).toBe(
      'Olivia Owner asks you to approve "Consulting agreement"',
    );
    expect(renderEmail("signing-request", request({ kind: "reminder" }), ctx).subject).toBe(
      'Reminder: Olivia Owner asks you to sign "Consulting agreement"',
    );
    const copy = renderEmail(
      "signing-request",
      request({ kind: "copy", role: "viewer", message: null, deadline: null }),
      ctx,
    );
    expect(copy.subject).toBe('Olivia Owner sent you a copy of "Consulting agreement"');
    expect(copy.text).toContain("You do not need to do anything");
  });

  it("lets long values wrap instead of widening the email past a phone's screen", () => {
    const html = renderEmail("signing-request", request(), ctx).html;
    expect(html).toContain("overflow-wrap:anywhere");
    expect(html).toContain('name="viewport" content="width=device-width,initial-scale=1"');
  });
});

describe("the executed-document email", () => {
  it("links the signed PDF and the certificate, naming the contract", () => {
    const email = renderEmail(
      "contract-executed",
      {
        title: "Consulting agreement",
        recipientName: "Sam",
        executedUrl: "https://escra.example/sign/ctr_1?token=t&download=executed",
        certificateUrl: "https://escra.example/sign/ctr_1?token=t&download=certificate",
        documentHash: "a".repeat(64),
        executionHash: "b".repeat(64),
      },
      ctx,
    );
    expect(email.subject).toBe('Signed by everyone: "Consulting agreement"');
    expect(email.text).toContain("Download the signed PDF: https://escra.example/sign/ctr_1?token=t&download=executed");
    expect(email.text).toContain(
      "Download the certificate of completion: https://escra.example/sign/ctr_1?token=t&download=certificate",
    );
    expect(email.html).toContain("download=certificate");
  });
});

describe("one email per person per occurrence", () => {
  it("parties are not emailed notifications of what the contract's room emails them itself", () => {
    for (const type of ["contract.sent", "contract.reminder_sent", "contract.activated"]) {
      expect(notificationEmailWanted(type, true)).toBe(false);
      expect(notificationEmailWanted(type, false)).toBe(true);
    }
  });

  it("a decline or an expiry is told once, by the cancellation", () => {
    for (const isParty of [true, false]) {
      expect(notificationEmailWanted("contract.declined", isParty)).toBe(false);
      expect(notificationEmailWanted("contract.expired", isParty)).toBe(false);
      expect(notificationEmailWanted("contract.cancelled", isParty)).toBe(true);
    }
  });

  it("leaves every other event to the preferences", () => {
    for (const type of ["contract.completed", "escrow.funded", "listing.sold"])
      expect(notificationEmailWanted(type, true)).toBe(true);
  });
});

describe("escrow notifications", () => {
  it("name the escrow by id and amount", () => {
    const text = notificationText({
      type: "escrow.funded",
      data: { escrowId: "esc_0123456789abcdefghij", amount: 500_000, currency: "NGN", status: "funds_held" },
      subject: { type: "escrow", id: "esc_0123456789abcdefghij" },
    });
    expect(text.title).toBe("Escrow esc_0123456789abcdefghij (5,000.00 NGN) was funded; the money is held in escrow");
  });
});
