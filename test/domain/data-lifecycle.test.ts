// The pure rules of issue 15.1/15.5: an export's 24-hour validity and what a reader may do with it, and which
// notification preference changes are consents given or withdrawn.
import { describe, expect, it } from "vitest";
import { dataExportExpiry, downloadRefusal, visibleExportStatus } from "../../src/domain/data-export";
import {
  CONSENT_TEXT,
  CONSENT_TEXTS,
  CONSENT_VERSION,
  NOTIFICATION_CONSENT_VERSION,
  channelConsentChanges,
} from "../../src/domain/consent";

describe("data export validity", () => {
  it("expires 24 hours after the instant it is measured from", () => {
    expect(dataExportExpiry("2026-11-30T09:00:00.000Z")).toBe("2026-12-01T09:00:00.000Z");
  });

  it("reads as expired from its expiry on, whatever the stored status", () => {
    const row = { status: "ready" as const, expiresAt: "2026-12-01T09:00:00.000Z" };
    expect(visibleExportStatus(row, "2026-12-01T08:59:59.999Z")).toBe("ready");
    expect(visibleExportStatus(row, "2026-12-01T09:00:00.000Z")).toBe("expired");
  });

  it("downloads only a ready, unexpired export and says why not otherwise", () => {
    const at = "2026-11-30T10:00:00.000Z";
    const later = "2026-12-01T09:00:00.000Z";
    expect(downloadRefusal({ status: "ready", expiresAt: later }, at)).toBe("ok");
    expect(downloadRefusal({ status: "queued", expiresAt: later }, at)).toBe("pending");
    expect(downloadRefusal({ status: "running", expiresAt: later }, at)).toBe("pending");
    expect(downloadRefusal({ status: "failed", expiresAt: later }, at)).toBe("failed");
    expect(downloadRefusal({ status: "ready", expiresAt: at }, at)).toBe("expired");
  });
});

describe("consent texts", () => {
  it("every version resolves to its wording; the e-signature version is the text the signing page shows", () => {
    expect(CONSENT_TEXTS[CONSENT_VERSION]).toBe(CONSENT_TEXT);
    expect(CONSENT_TEXTS[NOTIFICATION_CONSENT_VERSION]).toEqual(expect.any(String));
  });
});

describe("notification channel consents", () => {
  const current = { "contract.signed": { in_app: true, email: true, sms: false } };

  it("turning a channel off withdraws consent, turning one on gives it", () => {
    expect(channelConsentChanges(current, { "contract.signed": { email: false, sms: true } })).toEqual([
      { eventType: "contract.signed", channel: "email", action: "withdrawn" },
      { eventType: "contract.signed", channel: "sms", action: "given" },
    ]);
  });

  it("setting a channel to the value it already has records nothing", () => {
    expect(channelConsentChanges(current, { "contract.signed": { in_app: true, sms: false } })).toEqual([]);
  });

  it("an event type without current settings counts as off", () => {
    expect(channelConsentChanges({}, { "escrow.funded": { email: true } })).toEqual([
      { eventType: "escrow.funded", channel: "email", action: "given" },
    ]);
  });
});
