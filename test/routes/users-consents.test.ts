// Consent records (issue 15.5): the e-signature consent given at signing and notification channel opt-ins/outs are
// logged append-only with time, wording version, IP and user agent; the user lists them (GET /users/me/consents,
// paginated), finds them in the export, and erasure keeps the e-signature evidence pseudonymised.
import { beforeAll, describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { call } from "../helpers/http";
import { createUser, type TestUser } from "../helpers/users";
import { issueSigningToken } from "../../src/lib/signing-token";
import { CONSENT_TEXT, CONSENT_VERSION, NOTIFICATION_CONSENT_VERSION } from "../../src/domain/consent";

let owner: TestUser, signer: TestUser, linkSigner: TestUser, stranger: TestUser;

const typed = (name: string) => ({ signature: { type: "typed", value: name, font: "caveat" }, consent: true });

/** A sent contract with the given signers (all at order 1, so each may sign now). */
async function sentContract(signers: TestUser[]) {
  const created = await call("POST", "/api/v1/contracts", {
    token: owner.accessToken,
    body: {
      title: "Consent agreement",
      type: "nda",
      body: "Terms.",
      signers: signers.map((s, i) => ({ email: s.email, name: `Signer ${i}`, order: 1 })),
    },
  });
  expect(created.status).toBe(201);
  const id = created.body.data.id as string;
  const sent = await call("POST", `/api/v1/contracts/${id}/send`, { token: owner.accessToken, body: {} });
  expect(sent.status).toBe(200);
  const signerId = (email: string) =>
    (sent.body.data.signers as { id: string; email: string }[]).find((s) => s.email === email)!.id;
  return { id, signerId };
}

beforeAll(async () => {
  [owner, signer, linkSigner, stranger] = await Promise.all([
    createUser({ name: "Owen Consent" }),
    createUser({ name: "Sia Signer" }),
    createUser({ name: "Lin Link" }),
    createUser({ name: "Stan Stranger" }),
  ]);
});

describe("e-signature consent", () => {
  it("signing logs consent: contract, wording version, time, IP, user agent (by account or link)", async () => {
    const { id, signerId } = await sentContract([signer, linkSigner]);
    const signed = await call("POST", `/api/v1/contracts/${id}/sign`, {
      token: signer.accessToken,
      headers: { "cf-connecting-ip": "203.0.113.21", "user-agent": "consent-test/1" },
      body: typed("Sia Signer"),
    });
    expect(signed.status).toBe(200);
    // The party signing by its email link (no session) is still the person with that verified address.
    const byLink = await call("POST", `/api/v1/contracts/${id}/sign`, {
      headers: {
        "x-signing-token": issueSigningToken(env, id, signerId(linkSigner.email)),
        "cf-connecting-ip": "203.0.113.22",
        "user-agent": "link-browser/2",
      },
      body: typed("Lin Link"),
    });
    expect(byLink.status).toBe(200);

    const mine = await call("GET", "/api/v1/users/me/consents", { token: signer.accessToken });
    expect(mine.status).toBe(200);
    expect(mine.body.data).toEqual([
      {
        id: expect.stringMatching(/^cns_/),
        kind: "esign",
        action: "given",
        contractId: id,
        eventType: null,
        channel: null,
        textVersion: CONSENT_VERSION,
        text: CONSENT_TEXT,
        ip: "203.0.113.21",
        userAgent: "consent-test/1",
        createdAt: expect.stringMatching(/Z$/),
      },
    ]);
    const theirs = await call("GET", "/api/v1/users/me/consents", { token: linkSigner.accessToken });
    expect(theirs.body.data).toEqual([
      expect.objectContaining({ kind: "esign", contractId: id, ip: "203.0.113.22", userAgent: "link-browser/2" }),
    ]);
    // Nobody else sees them.
    const none = await call("GET", "/api/v1/users/me/consents", { token: stranger.accessToken });
    expect(none.body.data).toEqual([]);
    expect(none.body.pagination.total).toBe(0);
  });

  it("consent records are append-only: changing what was consented is refused by the database", async () => {
    const row = await env.DB.prepare("SELECT id FROM consent_records WHERE user_id = ?")
      .bind(signer.user.id)
      .first<{ id: string }>();
    await expect(
      env.DB.prepare("UPDATE consent_records SET action = 'withdrawn' WHERE id = ?").bind(row!.id).run(),
    ).rejects.toThrow(/append-only/);
    await expect(
      env.DB.prepare("UPDATE consent_records SET created_at = '2020-01-01T00:00:00.000Z' WHERE id = ?")
        .bind(row!.id)
        .run(),
    ).rejects.toThrow(/append-only/);
  });
});

describe("notification consents", () => {
  it("a channel turned off is a withdrawal, on again a consent; a no-op choice records nothing", async () => {
    const put = (channels: Record<string, boolean>) =>
      call("PUT", "/api/v1/users/me/notification-preferences", {
        token: owner.accessToken,
        headers: { "cf-connecting-ip": "198.51.100.4", "user-agent": "prefs-ui" },
        body: { preferences: { "contract.sent": channels } },
      });
    expect((await put({ email: false })).status).toBe(200);
    expect((await put({ email: true })).status).toBe(200);
    expect((await put({ email: true })).status).toBe(200);

    const list = await call("GET", "/api/v1/users/me/consents?perPage=1", { token: owner.accessToken });
    expect(list.status).toBe(200);
    expect(list.body.pagination).toMatchObject({ total: 2, page: 1, perPage: 1, totalPages: 2 });
    expect(list.body.data).toEqual([
      expect.objectContaining({
        kind: "notifications",
        action: "given",
        eventType: "contract.sent",
        channel: "email",
        textVersion: NOTIFICATION_CONSENT_VERSION,
        ip: "198.51.100.4",
        userAgent: "prefs-ui",
      }),
    ]);
    const second = await call("GET", list.body.links.next, { token: owner.accessToken });
    expect(second.body.data).toEqual([
      expect.objectContaining({ action: "withdrawn", eventType: "contract.sent", channel: "email" }),
    ]);
  });

  it("are part of the export", async () => {
    const exported = await call("GET", "/api/v1/users/me/export", { token: owner.accessToken });
    expect(exported.body.data.consents.map((c: { action: string }) => c.action)).toEqual(["given", "withdrawn"]);
  });

  it("bad paging is VAL001; no credentials AUTH004", async () => {
    const bad = await call("GET", "/api/v1/users/me/consents?perPage=0", { token: owner.accessToken });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("VAL001");
    expect((await call("GET", "/api/v1/users/me/consents")).body.error.code).toBe("AUTH004");
  });
});

describe("erasure", () => {
  it("keeps e-signature consent as pseudonymous evidence; drops notification choices, address, IP, UA", async () => {
    const leaving = await createUser({ name: "Lea Leaving" });
    const { id } = await sentContract([leaving]);
    expect(
      (
        await call("POST", `/api/v1/contracts/${id}/sign`, {
          token: leaving.accessToken,
          headers: { "cf-connecting-ip": "203.0.113.30" },
          body: typed("Lea Leaving"),
        })
      ).status,
    ).toBe(200);
    await call("PUT", "/api/v1/users/me/notification-preferences", {
      token: leaving.accessToken,
      body: { preferences: { "contract.sent": { email: false } } },
    });
    const erased = await call("DELETE", "/api/v1/users/me", {
      token: leaving.accessToken,
      body: { password: leaving.password },
    });
    expect(erased.status).toBe(200);
    const { results } = await env.DB.prepare(
      "SELECT kind, action, contract_id, email, ip, user_agent, text_version FROM consent_records WHERE user_id = ?",
    )
      .bind(leaving.user.id)
      .all();
    expect(results).toEqual([
      {
        kind: "esign",
        action: "given",
        contract_id: id,
        email: `erased+${leaving.user.id.toLowerCase()}@erased.invalid`,
        ip: null,
        user_agent: null,
        text_version: CONSENT_VERSION,
      },
    ]);
  });
});
