// Authority is checked when it is used, not only when it was granted (issue 20, kind 3): an invitation, a share or
// an API key made by someone who has since lost the right to make it grants nothing any more.
import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { call } from "../helpers/http";
import { listEmails } from "../helpers/mailbox";
import { createUser, type TestUser } from "../helpers/users";

async function newTeam(owner: TestUser) {
  const res = await call("POST", "/api/v1/teams", { token: owner.accessToken, body: { name: "Acme Legal" } });
  expect(res.status).toBe(201);
  return res.body.data.id as string;
}

/** Invites `email` into `teamId` as `role` and returns the token from the invitation email. */
async function invite(teamId: string, by: TestUser, email: string, role = "member") {
  const before = (await listEmails(email)).length;
  const res = await call("POST", `/api/v1/teams/${teamId}/members`, { token: by.accessToken, body: { email, role } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  let mails = await listEmails(email);
  for (let i = 0; mails.length <= before && i < 100; i++) {
    await new Promise((r) => setTimeout(r, 100));
    mails = await listEmails(email);
  }
  return /Invitation token: ([0-9A-Za-z]+)/.exec(mails[0]!.text)![1]!;
}

async function joined(teamId: string, owner: TestUser, role: string) {
  const user = await createUser();
  const token = await invite(teamId, owner, user.email, role);
  expect((await call("POST", `/api/v1/teams/invitations/${token}/accept`, { token: user.accessToken })).status).toBe(
    200,
  );
  return user;
}

const accept = (token: string, user: TestUser) =>
  call("POST", `/api/v1/teams/invitations/${token}/accept`, { token: user.accessToken });

describe("team invitations are checked against the inviter's right when accepted", () => {
  it("an admin removed from the team after inviting cannot bring the invitee in (409 RES002, the issue's example)", async () => {
    const owner = await createUser();
    const teamId = await newTeam(owner);
    const admin = await joined(teamId, owner, "admin");
    const accomplice = await createUser();
    const token = await invite(teamId, admin, accomplice.email, "member");

    const removed = await call("DELETE", `/api/v1/teams/${teamId}/members/${admin.user.id}`, {
      token: owner.accessToken,
    });
    expect(removed.status).toBe(200);

    const res = await accept(token, accomplice);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe("RES002");
    expect(res.body.error.details).toMatchObject({ reason: "inviter_lost_right" });
    const member = await env.DB.prepare("SELECT 1 FROM team_members WHERE team_id = ? AND user_id = ?")
      .bind(teamId, accomplice.user.id)
      .first();
    expect(member).toBeNull();
  });

  it("the invitation list shows such an invitation as what it is (inviter_lost_right), and it can be revoked", async () => {
    const owner = await createUser();
    const teamId = await newTeam(owner);
    const admin = await joined(teamId, owner, "admin");
    const [invitee, other] = await Promise.all([createUser(), createUser()]);
    await invite(teamId, admin, invitee.email, "member");
    await invite(teamId, owner, other.email, "member");
    expect(
      (await call("DELETE", `/api/v1/teams/${teamId}/members/${admin.user.id}`, { token: owner.accessToken })).status,
    ).toBe(200);

    const list = await call("GET", `/api/v1/teams/${teamId}/invitations`, { token: owner.accessToken });
    expect(list.status).toBe(200);
    const byEmail = Object.fromEntries(
      list.body.data.map((i: { email: string; status: string }) => [i.email, i.status]),
    );
    expect(byEmail).toEqual({ [invitee.email]: "inviter_lost_right", [other.email]: "pending" });
    const stale = list.body.data.find((i: { email: string }) => i.email === invitee.email);
    const revoked = await call("DELETE", `/api/v1/teams/${teamId}/invitations/${stale.id}`, {
      token: owner.accessToken,
    });
    expect(revoked.status).toBe(200);
    const after = await call("GET", `/api/v1/teams/${teamId}/invitations`, { token: owner.accessToken });
    expect(after.body.data.map((i: { email: string }) => i.email)).toEqual([other.email]);
  });

  it("an admin demoted to member after inviting: refused; an owner's invitation still works", async () => {
    const owner = await createUser();
    const teamId = await newTeam(owner);
    const admin = await joined(teamId, owner, "admin");
    const [invitee, other] = await Promise.all([createUser(), createUser()]);
    const byAdmin = await invite(teamId, admin, invitee.email, "viewer");
    const byOwner = await invite(teamId, owner, other.email, "member");

    expect(
      (
        await call("PUT", `/api/v1/teams/${teamId}/members/${admin.user.id}`, {
          token: owner.accessToken,
          body: { role: "member" },
        })
      ).status,
    ).toBe(200);

    const refused = await accept(byAdmin, invitee);
    expect(refused.status).toBe(409);
    expect(refused.body.error.details).toMatchObject({ reason: "inviter_lost_right" });
    expect((await accept(byOwner, other)).status).toBe(200);
  });

  it("an inviter whose account was suspended can no longer bring anyone in", async () => {
    const owner = await createUser();
    const teamId = await newTeam(owner);
    const coOwner = await joined(teamId, owner, "owner");
    const invitee = await createUser();
    const token = await invite(teamId, coOwner, invitee.email, "member");
    await env.DB.prepare("UPDATE users SET suspended = 1, suspended_at = ? WHERE id = ?")
      .bind(new Date().toISOString(), coOwner.user.id)
      .run();
    const res = await accept(token, invitee);
    expect(res.status).toBe(409);
    expect(res.body.error.details).toMatchObject({ reason: "inviter_lost_right" });
  });
});

describe("shares count only while the person who shared may still share", () => {
  it("a team admin's share of a team contract stops granting access once the admin leaves the team", async () => {
    const owner = await createUser();
    const teamId = await newTeam(owner);
    const admin = await joined(teamId, owner, "admin");
    const outsider = await createUser();
    const created = await call("POST", "/api/v1/contracts", {
      token: owner.accessToken,
      body: { title: "Team deal", type: "sale", body: "Terms.", teamId },
    });
    expect(created.status).toBe(201);
    const id = created.body.data.id as string;
    const shared = await call("POST", `/api/v1/contracts/${id}/share`, {
      token: admin.accessToken,
      body: { email: outsider.email, permission: "edit" },
    });
    expect(shared.status).toBe(201);
    expect((await call("GET", `/api/v1/contracts/${id}`, { token: outsider.accessToken })).status).toBe(200);
    // The owner's own share keeps working throughout.
    const reader = await createUser();
    expect(
      (
        await call("POST", `/api/v1/contracts/${id}/share`, {
          token: owner.accessToken,
          body: { email: reader.email, permission: "view" },
        })
      ).status,
    ).toBe(201);

    expect(
      (await call("DELETE", `/api/v1/teams/${teamId}/members/${admin.user.id}`, { token: owner.accessToken })).status,
    ).toBe(200);

    const read = await call("GET", `/api/v1/contracts/${id}`, { token: outsider.accessToken });
    expect(read.status).toBe(404);
    expect(read.body.error.code).toBe("RES001");
    const edit = await call("PATCH", `/api/v1/contracts/${id}`, {
      token: outsider.accessToken,
      body: { title: "hijacked" },
    });
    expect(edit.body.error.code).toBe("RES001");
    expect((await call("GET", "/api/v1/contracts", { token: outsider.accessToken })).body.data).toEqual([]);
    expect((await call("GET", `/api/v1/contracts/${id}`, { token: reader.accessToken })).status).toBe(200);
  });
});

describe("API keys follow their owner's current rights", () => {
  it("an admin's admin:write key stops working on admin routes once the admin is demoted", async () => {
    const admin = await createUser({ role: "admin" });
    const minted = await call("POST", "/api/v1/api-keys", {
      token: admin.accessToken,
      body: { name: "ops", scopes: ["admin:read", "admin:write"] },
    });
    expect(minted.status).toBe(201);
    const key = minted.body.data.secret as string;
    expect((await call("GET", "/api/v1/admin/users", { token: key })).status).toBe(200);

    await env.DB.prepare("UPDATE users SET role = 'user' WHERE id = ?").bind(admin.user.id).run();
    const res = await call("GET", "/api/v1/admin/users", { token: key });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe("AUTH003");
  });

  it("an admin's key without an admin scope has no admin powers outside admin routes either", async () => {
    const [admin, author] = await Promise.all([createUser({ role: "admin" }), createUser()]);
    const created = await call("POST", "/api/v1/contracts", {
      token: author.accessToken,
      body: { title: "Private", type: "sale", body: "x" },
    });
    const id = created.body.data.id as string;
    // The admin's own session may look (platform admins see every contract) …
    expect((await call("GET", `/api/v1/contracts/${id}`, { token: admin.accessToken })).status).toBe(200);
    // … but a contracts:read key of the admin acts as a plain user.
    const minted = await call("POST", "/api/v1/api-keys", {
      token: admin.accessToken,
      body: { name: "read", scopes: ["contracts:read"] },
    });
    const res = await call("GET", `/api/v1/contracts/${id}`, { token: minted.body.data.secret });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("RES001");
  });
});
