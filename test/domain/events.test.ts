import { describe, expect, it } from "vitest";
import {
  AUDIT_LOG_EVENTS,
  AUDIT_ONLY_EVENTS,
  EVENT_TYPES,
  isEventType,
  validateEventData,
} from "../../src/domain/events";
import { buildEventMessage, InvalidEventError } from "../../src/lib/events";

// API.md "Event types", verbatim.
const API_EVENT_TYPES = [
  "contract.created",
  "contract.updated",
  "contract.sent",
  "contract.approved",
  "contract.signed",
  "contract.declined",
  "contract.activated",
  "contract.completed",
  "contract.cancelled",
  "contract.expired",
  "contract.reminder_sent",
  // Added (API.md: "more types may be added"): the execution record over the final executed PDF (issue 14.2).
  "contract.execution_recorded",
  "escrow.created",
  "escrow.funded",
  "escrow.contract_signed",
  "escrow.delivered",
  "escrow.credentials_released",
  "escrow.completed",
  "escrow.disputed",
  "escrow.released",
  "escrow.refunded",
  "escrow.payout_sent",
  "escrow.payout_failed",
  "escrow.cancelled",
  "escrow.expired",
  "escrow.payment_unmatched",
  "listing.submitted",
  "listing.approved",
  "listing.rejected",
  "listing.reserved",
  "listing.sold",
  // Added to the catalog (API.md: "more types may be added"): every listing transition has its event.
  "listing.info_requested",
  "listing.unreserved",
  "anchor.anchored",
  "anchor.confirmed",
  "webhook.test",
  "report.progress",
  "report.ready",
  // Added for issue 15.1: the asynchronous personal-data export, personal feed only like the reports'.
  "export.ready",
];

describe("event catalog", () => {
  it("lists every event type of API.md", () => {
    expect([...EVENT_TYPES].sort()).toEqual([...API_EVENT_TYPES].sort());
  });

  it("contract.execution_recorded carries the execution hash and the executed and frozen PDFs' hashes", () => {
    const data = {
      contractId: "ctr_abc",
      status: "active",
      executionHash: `0x${"a".repeat(64)}`,
      executedDocumentHash: "b".repeat(64),
      documentHash: "c".repeat(64),
      auditHead: "d".repeat(64),
      auditSeq: 7,
    };
    expect(validateEventData("contract.execution_recorded", data).success).toBe(true);
    const { executedDocumentHash: _, ...withoutExecuted } = data;
    expect(validateEventData("contract.execution_recorded", withoutExecuted).success).toBe(false);
  });

  it("names the audit log's own events apart from the published and the aggregate-only ones, in one shape", () => {
    const auditLogEvents = Object.keys(AUDIT_LOG_EVENTS);
    const elsewhere = new Set<string>([...EVENT_TYPES, ...AUDIT_ONLY_EVENTS]);
    expect(auditLogEvents.filter((name) => elsewhere.has(name))).toEqual([]);
    for (const name of auditLogEvents) expect(name).toMatch(/^[a-z_]+(\.[a-z_]+)+$/);
  });

  it("rejects unknown types", () => {
    expect(isEventType("contract.exploded")).toBe(false);
    expect(isEventType("toString")).toBe(false);
    expect(validateEventData("contract.exploded", { contractId: "ctr_1" })).toEqual({
      success: false,
      issues: [{ path: "type", message: 'unknown event type "contract.exploded"' }],
    });
  });

  it("rejects data without the resource id and its new state, naming the paths", () => {
    const result = validateEventData("contract.signed", { contractId: "usr_abc", status: "signed" });
    expect(result.success).toBe(false);
    if (result.success) return;
    expect(result.issues.map((i) => i.path).sort()).toEqual(["data.contractId", "data.signerId", "data.status"]);
  });

  it("accepts valid data and keeps extra context fields producers add", () => {
    const result = validateEventData("escrow.funded", {
      escrowId: "esc_abc",
      status: "funds_held",
      amount: 250_000,
      currency: "NGN",
      buyerId: "usr_abc",
    });
    expect(result).toEqual({
      success: true,
      data: { escrowId: "esc_abc", status: "funds_held", amount: 250_000, currency: "NGN", buyerId: "usr_abc" },
    });
  });

  it("rejects money as a float", () => {
    expect(
      validateEventData("escrow.funded", { escrowId: "esc_abc", status: "funds_held", amount: 10.5 }).success,
    ).toBe(false);
  });
});

describe("buildEventMessage (what publishEvent sends)", () => {
  it("builds an EVENTS message with an evt_ id, its origin queue and the validated payload", () => {
    const message = buildEventMessage({
      type: "listing.approved",
      data: { listingId: "lst_abc", status: "approved" },
      actorId: "usr_admin",
      subject: { type: "listing", id: "lst_abc" },
      audience: ["usr_seller"],
    });
    expect(message).toMatchObject({
      kind: "listing.approved",
      id: expect.stringMatching(/^evt_[0-9A-Za-z]{20}$/),
      origin: "events",
      payload: {
        data: { listingId: "lst_abc", status: "approved" },
        actorId: "usr_admin",
        subject: { type: "listing", id: "lst_abc" },
        audience: ["usr_seller"],
        occurredAt: expect.any(String),
      },
    });
  });

  it("throws on bad data before anything is sent", () => {
    expect(() =>
      buildEventMessage({
        type: "contract.sent",
        // @ts-expect-error — the compiler already refuses this; the runtime check guards untyped callers
        data: { contractId: "ctr_abc" },
        subject: { type: "contract", id: "ctr_abc" },
      }),
    ).toThrow(InvalidEventError);
  });
});
