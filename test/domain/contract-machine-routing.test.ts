import { describe, expect, it } from "vitest";
import { createDraft } from "../../src/domain/contract-machine";
import {
  DEFAULT_REMINDERS,
  act,
  complete,
  currentOrder,
  decline,
  dueReminders,
  expire,
  nextReminderAt,
  recipientsInTurn,
  recordReminders,
  send,
  withWorkflowApprovers,
} from "../../src/domain/routing";
import { ApiError } from "../../src/lib/errors";

const T0 = "2026-11-22T12:00:00.000Z";
const at = (hours: number) => new Date(Date.parse(T0) + hours * 3_600_000).toISOString();

const draft = (expiresAt: string | null = null) =>
  createDraft(
    {
      id: "ctr_00000000000000000001",
      ownerId: "usr_owner",
      title: "Supply",
      type: "supply",
      body: "x",
      expiresAt,
      signers: [
        { id: "sig_a", email: "a@x.com", name: "A", role: "approver", order: 1 },
        { id: "sig_b", email: "b@x.com", name: "B", order: 2 },
        { id: "sig_c", email: "c@x.com", name: "C", order: 2 },
        { id: "sig_d", email: "d@x.com", name: "D", order: 3 },
        { id: "sig_v", email: "v@x.com", name: "V", role: "viewer", order: 1 },
      ],
    },
    T0,
  );

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof ApiError ? e.code : "other";
  }
  return undefined;
}

const sent = () =>
  send(draft(), { documentHash: "ab".repeat(32), signers: draft().signers, reminders: DEFAULT_REMINDERS }, T0);

describe("routing", () => {
  it("send: draft → pending, notifies the first order and viewers; only from draft", () => {
    const r = sent();
    expect(r.state.status).toBe("pending");
    expect(r.state.documentHash).toBe("ab".repeat(32));
    expect(r.notified.map((s) => s.id).sort()).toEqual(["sig_a", "sig_v"]);
    expect(r.info.progress.sig_a?.notifiedAt).toBe(T0);
    expect(
      code(() => send(r.state, { documentHash: "x", signers: r.state.signers, reminders: DEFAULT_REMINDERS }, T0)),
    ).toBe("RES002");
  });

  it("send: refuses a contract without a signer, or already expired", () => {
    const d = draft();
    expect(
      code(() =>
        send(
          d,
          { documentHash: "x", signers: d.signers.filter((s) => s.role !== "signer"), reminders: DEFAULT_REMINDERS },
          T0,
        ),
      ),
    ).toBe("RES002");
    const e = draft(at(-1));
    expect(code(() => send(e, { documentHash: "x", signers: e.signers, reminders: DEFAULT_REMINDERS }, T0))).toBe(
      "RES002",
    );
  });

  it("routes lower order first, equal order in parallel, and activates on the last required signature", () => {
    let { state, info } = sent();
    expect(code(() => act(state, info, "sig_b", "sign", {}, T0))).toBe("RES002"); // out of turn
    expect(code(() => act(state, info, "sig_a", "sign", {}, T0))).toBe("RES002"); // approver cannot sign
    expect(code(() => act(state, info, "sig_v", "approve", {}, T0))).toBe("RES002"); // viewer cannot act
    let r = act(state, info, "sig_a", "approve", null, at(1));
    expect(r.notified.map((s) => s.id).sort()).toEqual(["sig_b", "sig_c"]);
    expect(code(() => act(r.state, r.info, "sig_a", "approve", null, at(1)))).toBe("RES002"); // twice
    r = act(r.state, r.info, "sig_c", "sign", { type: "typed" }, at(2));
    expect(r.notified).toEqual([]);
    expect(currentOrder(r.state)).toBe(2);
    r = act(r.state, r.info, "sig_b", "sign", { type: "typed" }, at(2));
    expect(r.notified.map((s) => s.id)).toEqual(["sig_d"]);
    r = act(r.state, r.info, "sig_d", "sign", { type: "typed" }, at(3));
    expect(r.activated).toBe(true);
    expect(r.state.status).toBe("active");
    expect(r.state.activatedAt).toBe(at(3));
    expect(recipientsInTurn(r.state)).toEqual([]);
    expect(complete(r.state, at(4)).status).toBe("completed");
    ({ state, info } = sent());
    expect(code(() => complete(state, at(4)))).toBe("RES002");
  });

  it("decline cancels with the reason; nothing can be signed afterwards", () => {
    const { state, info } = sent();
    const d = decline(state, "sig_b", "price too high", at(1));
    expect(d).toMatchObject({ status: "cancelled", cancelReason: "price too high" });
    expect(d.signers.find((s) => s.id === "sig_b")?.status).toBe("declined");
    expect(code(() => act(d, info, "sig_a", "approve", null, at(2)))).toBe("RES002");
    expect(code(() => decline(d, "sig_a", "x", at(2)))).toBe("RES002");
    expect(code(() => decline(state, "sig_v", "x", at(2)))).toBe("RES002");
    expect(code(() => decline(state, "sig_zz", "x", at(2)))).toBe("RES001");
  });

  it("expire cancels a pending contract past expiresAt only", () => {
    const d = draft(at(10));
    const { state } = send(d, { documentHash: "x", signers: d.signers, reminders: DEFAULT_REMINDERS }, T0);
    expect(expire(state, at(9))).toBeNull();
    expect(expire(state, at(10))).toMatchObject({ status: "cancelled", cancelReason: "expired" });
    expect(expire(d, at(11))).toBeNull();
  });

  it("reminders: first after 24 h, then every 48 h, at most max; escalation once; never to who acted", () => {
    const { state, info: i0 } = sent();
    expect(dueReminders(state, i0, at(23)).remind).toEqual([]);
    let plan = dueReminders(state, i0, at(24));
    expect(plan.remind.map((s) => s.id)).toEqual(["sig_a"]);
    let info = recordReminders(i0, plan, at(24));
    expect(dueReminders(state, info, at(71)).remind).toEqual([]);
    plan = dueReminders(state, info, at(72));
    expect(plan.remind.map((s) => s.id)).toEqual(["sig_a"]);
    expect(plan.escalate.map((s) => s.id)).toEqual(["sig_a"]);
    info = recordReminders(info, plan, at(72));
    expect(dueReminders(state, info, at(80)).escalate).toEqual([]);
    info = recordReminders(info, dueReminders(state, info, at(120)), at(120));
    expect(info.progress.sig_a?.reminders).toBe(3);
    expect(dueReminders(state, info, at(500)).remind).toEqual([]); // max reached
    const approved = act(state, info, "sig_a", "approve", null, at(501));
    expect(dueReminders(approved.state, approved.info, at(502)).remind.map((s) => s.id)).toEqual([]); // b, c just notified
  });

  it("nextReminderAt: the earliest due reminder or escalation of the parties in turn; null when nothing can be due", () => {
    const { state, info } = sent();
    expect(nextReminderAt(state, info)).toBe(at(24));
    const once = recordReminders(info, dueReminders(state, info, at(24)), at(24));
    expect(nextReminderAt(state, once)).toBe(at(72)); // next reminder at 24 + 48, escalation at 72
    const none = { ...info, reminders: { ...info.reminders, max: 0, escalateAfterHours: null } };
    expect(nextReminderAt(state, none)).toBeNull();
    expect(nextReminderAt(decline(state, "sig_a", "no", at(1)), info)).toBeNull();
  });

  it("workflow approvers go before every existing party", () => {
    const signers = withWorkflowApprovers(draft().signers, [
      { id: "sig_w1", email: "w1@x.com", order: 5 },
      { id: "sig_w2", email: "w2@x.com", order: 7 },
      { id: "sig_w3", email: "a@x.com", order: 1 },
    ]);
    const byId = Object.fromEntries(signers.map((s) => [s.id, s]));
    expect(byId.sig_w1).toMatchObject({ role: "approver", order: 1 });
    expect(byId.sig_w2).toMatchObject({ role: "approver", order: 2 });
    expect(byId.sig_w3).toBeUndefined();
    expect(byId.sig_a?.order).toBe(3);
    expect(byId.sig_d?.order).toBe(5);
  });
});
