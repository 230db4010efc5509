import { describe, expect, it } from "vitest";
import {
  CONTRACT_STATUSES,
  addSigner,
  applyPatch,
  assertTransition,
  canTransition,
  cancel,
  createDraft,
  deleteDraft,
  removeSigner,
  wasExecuted,
  type ContractState,
} from "../../src/domain/contract-machine";
import { ApiError } from "../../src/lib/errors";

const NOW = "2026-11-22T12:00:00.000Z";
const base = () =>
  createDraft(
    {
      id: "ctr_00000000000000000001",
      ownerId: "usr_owner",
      title: "  NDA ",
      type: "nda",
      body: "x",
      tags: ["A", "a", " b "],
      signers: [{ id: "sig_1", email: "P@X.com", name: " P " }],
    },
    NOW,
  );

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof ApiError ? e.code : "other";
  }
  return undefined;
}

describe("contract state machine", () => {
  it("allows exactly draft→pending→active→completed and cancelling from draft, pending, active", () => {
    const allowed = new Set([
      "draft>pending",
      "pending>active",
      "active>completed",
      "draft>cancelled",
      "pending>cancelled",
      "active>cancelled",
    ]);
    for (const from of CONTRACT_STATUSES) {
      for (const to of CONTRACT_STATUSES) {
        const key = `${from}>${to}`;
        expect(canTransition(from, to), key).toBe(allowed.has(key));
        expect(
          code(() => assertTransition(from, to)),
          key,
        ).toBe(allowed.has(key) ? undefined : "RES002");
      }
    }
  });

  it("creates a version-1 draft with normalised title, tags and signer emails", () => {
    const s = base();
    expect(s).toMatchObject({ status: "draft", version: 1, title: "NDA", tags: ["a", "b"], createdAt: NOW });
    expect(s.signers[0]).toMatchObject({ email: "p@x.com", name: "P", role: "signer", order: 1, status: "waiting" });
  });

  it("rejects duplicate signers within one draft as VAL001", () => {
    expect(
      code(() =>
        createDraft(
          {
            id: "ctr_x",
            ownerId: "u",
            title: "t",
            type: "t",
            body: "",
            signers: [
              { id: "a", email: "a@x.com", name: "A" },
              { id: "b", email: "A@x.com", name: "B" },
            ],
          },
          NOW,
        ),
      ),
    ).toBe("VAL001");
  });

  it("bumps the version on every patch and only changes given fields", () => {
    const s1 = applyPatch(base(), { title: "New" }, "2026-11-22T13:00:00.000Z");
    expect(s1).toMatchObject({ version: 2, title: "New", body: "x", updatedAt: "2026-11-22T13:00:00.000Z" });
    expect(applyPatch(s1, { description: null }, NOW).version).toBe(3);
  });

  it("refuses drafting commands outside draft (RES002)", () => {
    const cancelled: ContractState = cancel(base(), "changed mind", NOW);
    expect(cancelled).toMatchObject({ status: "cancelled", cancelReason: "changed mind", cancelledAt: NOW });
    expect(code(() => applyPatch(cancelled, { title: "x" }, NOW))).toBe("RES002");
    expect(code(() => deleteDraft(cancelled, NOW))).toBe("RES002");
    expect(code(() => addSigner(cancelled, { id: "sig_2", email: "q@x.com", name: "Q" }, NOW))).toBe("RES002");
    expect(code(() => removeSigner(cancelled, "sig_1", NOW))).toBe("RES002");
    expect(code(() => cancel(cancelled, null, NOW))).toBe("RES002");
    const completed = { ...base(), status: "completed" as const };
    expect(code(() => cancel(completed, null, NOW))).toBe("RES002");
  });

  it("adds and removes signers; a second signer with the same email is RES002, an unknown id RES001", () => {
    const s = addSigner(base(), { id: "sig_2", email: "q@x.com", name: "Q", role: "approver", order: 2 }, NOW);
    expect(s.signers.map((x) => x.id)).toEqual(["sig_1", "sig_2"]);
    expect(code(() => addSigner(s, { id: "sig_3", email: "Q@X.COM", name: "Q again" }, NOW))).toBe("RES002");
    expect(removeSigner(s, "sig_1", NOW).signers.map((x) => x.id)).toEqual(["sig_2"]);
    expect(code(() => removeSigner(s, "sig_9", NOW))).toBe("RES001");
  });
});

describe("wasExecuted", () => {
  it("holds from activation on, whatever the status became (completed, cancelled later)", () => {
    const activated = { ...base(), status: "active" as const, documentHash: "ab".repeat(32), activatedAt: NOW };
    expect(wasExecuted(base())).toBe(false);
    expect(wasExecuted(activated)).toBe(true);
    expect(wasExecuted({ ...activated, status: "completed" as const })).toBe(true);
    expect(wasExecuted({ ...activated, status: "cancelled" as const, cancelledAt: NOW })).toBe(true);
    // Sent and cancelled before every party signed: never executed.
    expect(wasExecuted({ ...activated, status: "cancelled" as const, activatedAt: null })).toBe(false);
  });
});
