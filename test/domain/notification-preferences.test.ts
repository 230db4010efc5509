import { describe, expect, it } from "vitest";
import { defaultChannels, resolvePreferences, unknownEventTypes } from "../../src/domain/notification-preferences";

describe("notification preference defaults", () => {
  it("puts everything in-app, important events by email, nothing by SMS", () => {
    expect(defaultChannels("contract.sent")).toEqual({ in_app: true, email: true, sms: false });
    expect(defaultChannels("escrow.funded")).toEqual({ in_app: true, email: true, sms: false });
    expect(defaultChannels("contract.updated")).toEqual({ in_app: true, email: false, sms: false });
    expect(defaultChannels("anchor.confirmed").email).toBe(false);
  });

  it("overlays stored choices on the defaults and ignores types no longer in the catalog", () => {
    const map = resolvePreferences(
      ["contract.sent", "contract.updated"],
      [
        { eventType: "contract.sent", channel: "email", enabled: false },
        { eventType: "contract.updated", channel: "sms", enabled: true },
        { eventType: "gone.event", channel: "email", enabled: true },
      ],
    );
    expect(map).toEqual({
      "contract.sent": { in_app: true, email: false, sms: false },
      "contract.updated": { in_app: true, email: false, sms: true },
    });
  });

  it("names the unknown event types of an update", () => {
    expect(unknownEventTypes(["contract.sent"], { "contract.sent": {}, "nope.x": {} })).toEqual(["nope.x"]);
  });
});
