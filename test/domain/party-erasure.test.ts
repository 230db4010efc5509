import { describe, expect, it } from "vitest";
import { createDraft, share } from "../../src/domain/contract-machine";
import { erasePartyFromContract, redactJsonText, redactText } from "../../src/domain/party-erasure";

const NOW = "2026-11-30T00:00:00.000Z";
const p = { email: "vera@x.com", pseudonymEmail: "erased+usr_1@erased.invalid", pseudonymName: "Erased user" };

describe("erasePartyFromContract", () => {
  it("pseudonymises the person's signer rows and shares, whatever the case of the stored address, and nobody else's", () => {
    const draft = createDraft(
      {
        id: "ctr_x",
        ownerId: "usr_o",
        title: "t",
        type: "t",
        body: "",
        signers: [
          { id: "sig_a", email: "Vera@x.com", name: "Vera" },
          { id: "sig_b", email: "bo@x.com", name: "Bo" },
        ],
      },
      NOW,
    );
    const shared = share(
      draft,
      { id: "shr_1", email: "vera@x.com", userId: null, permission: "view", createdBy: "usr_o", createdAt: NOW },
      NOW,
    );
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

describe("redactText and the text of a contract", () => {
  it("replaces the address and whole-word names, case-insensitively, and leaves other words alone", () => {
    const text = "Vera Victim (VERA@x.com) and Veracity Inc.; vera victim signs.";
    expect(redactText(text, p, ["Vera Victim", "Al"])).toBe(
      "Erased user (erased+usr_1@erased.invalid) and Veracity Inc.; Erased user signs.",
    );
  });

  it("rewrites title, body and variables naming the person, and their typed signature record", () => {
    const draft = createDraft(
      {
        id: "ctr_z",
        ownerId: "usr_o",
        title: "NDA with Vera Victim",
        type: "t",
        body: "Contact vera@x.com",
        variables: { party: "Vera Victim" },
        signers: [{ id: "sig_a", email: "vera@x.com", name: "Vera Victim" }],
      },
      NOW,
    );
    const signedState = {
      ...draft,
      signers: draft.signers.map((s) => ({
        ...s,
        signature: {
          type: "typed",
          value: "Vera Victim",
          signerEmail: "vera@x.com",
          ip: "10.0.0.1",
          userAgent: "UA",
          countersignature: { alg: "EdDSA", kid: "k", jws: "h.p.s" },
        },
      })),
    };
    const erased = erasePartyFromContract(signedState, p, NOW);
    expect(erased.state.title).toBe("NDA with Erased user");
    expect(erased.state.body).toBe("Contact erased+usr_1@erased.invalid");
    expect(erased.state.variables).toEqual({ party: "Erased user" });
    expect(erased.state.signers[0]!.signature).toMatchObject({
      value: null,
      ip: null,
      userAgent: null,
      countersignature: { jws: "h..s", detached: true },
    });
    expect(JSON.stringify(erased.state)).not.toMatch(/vera/i);
  });

  it("redacts string values of JSON, never its keys", () => {
    expect(redactJsonText('{"Vera Victim":"Vera Victim","n":1}', (t) => redactText(t, p, ["Vera Victim"]))).toBe(
      '{"Vera Victim":"Erased user","n":1}',
    );
    expect(redactJsonText('{"a":"b"}', (t) => t)).toBe('{"a":"b"}');
  });
});
