// An unverified account holds an address nobody proved (attack pass over issue 11.1): what others addressed to that
// email is the mailbox owner's, so the account's data export does not list it and its erasure does not touch it.
import { describe, expect, it } from "vitest";
import { call } from "../helpers/http";
import { login, testIp, uniqueEmail } from "../helpers/users";
import { actor } from "../helpers/contract-fixtures";

async function squat(email: string, password: string) {
  const reg = await call("POST", "/api/v1/auth/register", {
    body: { email, password, name: "Squatter" },
    headers: { "cf-connecting-ip": testIp() },
  });
  expect(reg.status).toBe(201);
  const session = await login(email, password);
  expect(session.status).toBe(200);
  return session.body.data.accessToken as string;
}

describe("an unverified account and what is addressed to its email", () => {
  it("its export lists no contract, share or invitation addressed to the email, nor mail sent to it", async () => {
    const owner = await actor();
    const victimEmail = uniqueEmail("addressee");
    const created = await call("POST", "/api/v1/contracts", {
      token: owner.token,
      body: {
        title: "Confidential acquisition",
        type: "sale",
        body: "Terms.",
        signers: [{ email: victimEmail, name: "Real Addressee", order: 1 }],
      },
    });
    const id = created.body.data.id as string;
    expect((await call("POST", `/api/v1/contracts/${id}/send`, { token: owner.token, body: {} })).status).toBe(200);
    expect(
      (
        await call("POST", `/api/v1/contracts/${id}/share`, {
          token: owner.token,
          body: { email: victimEmail, permission: "view" },
        })
      ).status,
    ).toBeLessThan(300);

    const token = await squat(victimEmail, "squatter password 1");
    const res = await call("GET", "/api/v1/users/me/export", { token });
    expect(res.status).toBe(200);
    const text = JSON.stringify(res.body.data);
    expect(text).not.toContain(id);
    expect(text).not.toContain("Confidential acquisition");
    expect(res.body.data.contractParticipations).toEqual([]);
    expect(res.body.data.contractShares).toEqual([]);
  });

  it("its erasure leaves the addressee's signer row on others' contracts untouched", async () => {
    const owner = await actor();
    const victimEmail = uniqueEmail("addressee");
    const created = await call("POST", "/api/v1/contracts", {
      token: owner.token,
      body: {
        title: "Keep my signer",
        type: "sale",
        body: "Terms.",
        signers: [{ email: victimEmail, name: "Real Addressee", order: 1 }],
      },
    });
    const id = created.body.data.id as string;
    expect((await call("POST", `/api/v1/contracts/${id}/send`, { token: owner.token, body: {} })).status).toBe(200);

    const password = "squatter password 2";
    const token = await squat(victimEmail, password);
    const erased = await call("DELETE", "/api/v1/users/me", { token, body: { password } });
    expect(erased.status).toBe(200);

    const seen = await call("GET", `/api/v1/contracts/${id}`, { token: owner.token });
    expect(seen.body.data.signers[0]).toMatchObject({ email: victimEmail, name: "Real Addressee" });
  });
});
