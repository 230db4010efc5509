// What notifications say, from event data alone.
import { describe, expect, it } from "vitest";
import { EVENT_TYPES } from "../../src/domain/events";
import { notificationText } from "../../src/domain/notification-text";

describe("notificationText", () => {
  it("names the resource, says what happened, adds a reason and links to the resource", () => {
    expect(
      notificationText({
        type: "contract.declined",
        data: { contractId: "ctr_1", status: "cancelled", signerId: "sig_1", title: "NDA", reason: "wrong party" },
        subject: { type: "contract", id: "ctr_1" },
      }),
    ).toEqual({
      title: 'Contract "NDA" was declined',
      body: 'Contract "NDA" was declined. Reason: wrong party',
      link: "/contracts/ctr_1",
    });
  });

  it("has words for every event type and no link for resources the app has no page for", () => {
    for (const type of EVENT_TYPES) {
      const text = notificationText({ type, data: {} as never, subject: { type: "anchor", id: "bat_1" } });
      expect(text.title.length).toBeGreaterThan(10);
      expect(text.title).not.toContain("undefined");
      expect(text.link).toBeNull();
    }
  });
});
