import { describe, expect, it } from "vitest";
import { createDraft, share } from "../../src/domain/contract-machine";
import { erasePartyFromContract } from "../../src/domain/party-erasure";

const NOW = "2026-11-30T00:00:00.000Z";
const p = { email: "vera@x.com", pseudonymEmail: "erased+usr_1@erased.invalid", pseudonymName: "Erased user" };

describe("erasePartyFromContract", () => {
  it("pseudonymises the person's signer rows and shares, whatever the case of the stored address, and nobody else's", () => {
    const draft = createDraft(
      { id: "ctr_x", ownerId: "usr_o", title: "t", type: "t", body: "", signers: [{ id: "sig_a", email: "Vera@x.com", name: "Vera" }, { id: "sig_b", email: "bo@x.com", name: "Bo" }] },
      NOW,
    );
    const shared = share(draft, { id: "shr_1", email: "vera@x.com", userId: null, permission: "view", createdBy: "usr_o", createdAt: NOW }, NOW);
    const erased = erasePartyFromContract(shared, p, "2026-12-01T00:00:00.000Z");
    expect(erased.changed).toBe(true);
    expect(erased.signerIds).toEqual(["sig_a"]);
    expect(erased.shareIds).toEqual(["shr_1"]);
    expect(erased.state.signers.map((s) => [s.id, s.email, s.name])).toEqual([
      ["sig_a", p.pseudonymEmail, "Erased user"],
      ["sig_b", "bo@x.com", "Bo"],
    ]);
    expect(erased.state.shares[0]!.email).toBe(p.pseudonymEmail);
    expect(JSON.stringify(erased.state)).not.toMatch(/vera/i);
  });

  it("changes nothing on a contract the person is not on", () => {
    const draft = createDraft({ id: "ctr_y", ownerId: "usr_o", title: "t", type: "t", body: "", signers: [] }, NOW);
    const erased = erasePartyFromContract(draft, p, NOW);
    expect(erased.changed).toBe(false);
    expect(erased.state).toBe(draft);
  });
});
