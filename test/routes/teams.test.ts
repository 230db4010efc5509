import { beforeAll, describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { call } from "../helpers/http";
import { listEmails } from "../helpers/mailbox";
import { createUser, uniqueEmail, type TestUser } from "../helpers/users";
import { teamIdsOf, teamRoleOf } from "../../src/db/teams";
import { db } from "../../src/db/client";

let owner: TestUser;
let outsider: TestUser;
let globalViewer: TestUser;

beforeAll(async () => {
  [owner, outsider, globalViewer] = await Promise.all([createUser(), createUser(), createUser({ role: "viewer" })]);
});

async function newTeam(user: TestUser, name = "Acme Legal") {
  const res = await call("POST", "/api/v1/teams", {
    token: user.accessToken,
    body: { name, description: "Contracts of Acme" },
  });
  expect(res.status).toBe(201);
  return res.body.data as { id: string; name: string };
}

/** Invites `email` and returns the token from the invitation email. */
async function invite(team: { id: string }, by: TestUser, email: string, role = "member") {
  const before = (await listEmails(email)).length;
  const res = await call("POST", `/api/v1/teams/${team.id}/members`, { token: by.accessToken, body: { email, role } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  // The email of this invitation: wait for one more than there was before (re-invites go to the same address).
  let mails = await listEmails(email);
  for (let i = 0; mails.length <= before && i < 100; i++) {
    await new Promise((r) => setTimeout(r, 100));
    mails = await listEmails(email);
  }
  const mail = mails[0]!;
  expect(mail.subject).toContain("invited you");
  const token = /Invitation token: ([0-9A-Za-z]+)/.exec(mail.text)?.[1];
  expect(token).toBeDefined();
  return { invitation: res.body.data, token: token!, mail };
}

/** A user who joined `team` with `role` through an invitation. */
async function memberOf(team: { id: string }, role: string): Promise<TestUser> {
  const user = await createUser();
  const { token } = await invite(team, owner, user.email, role);
  const accepted = await call("POST", `/api/v1/teams/invitations/${token}/accept`, { token: user.accessToken });
  expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
  return user;
}

describe("POST /teams and GET /teams", () => {
  it("creates a team with the caller as owner and lists it with the caller's role", async () => {
    const team = await newTeam(owner);
    expect(team).toMatchObject({
      id: expect.stringMatching(/^team_/),
      name: "Acme Legal",
      role: "owner",
      createdBy: owner.user.id,
    });
    const list = await call("GET", "/api/v1/teams", { token: owner.accessToken });
    expect(list.status).toBe(200);
    expect(list.body.data.map((t: any) => t.id)).toContain(team.id);
    expect(list.body.pagination.total).toBeGreaterThanOrEqual(1);
    expect(
      (await call("GET", "/api/v1/teams", { token: outsider.accessToken })).body.data.map((t: any) => t.id),
    ).not.toContain(team.id);
  });

  it("refuses invalid input, anonymous callers and global viewers", async () => {
    expect(
      (await call("POST", "/api/v1/teams", { token: owner.accessToken, body: { name: "" } })).body.error?.code,
    ).toBe("VAL001");
    expect(
      (await call("POST", "/api/v1/teams", { token: owner.accessToken, body: { name: "x".repeat(101) } })).body.error
        ?.code,
    ).toBe("VAL001");
    expect((await call("POST", "/api/v1/teams", { body: { name: "x" } })).body.error?.code).toBe("AUTH004");
    expect((await call("GET", "/api/v1/teams")).body.error?.code).toBe("AUTH004");
    const byViewer = await call("POST", "/api/v1/teams", { token: globalViewer.accessToken, body: { name: "x" } });
    expect(byViewer.status).toBe(403);
    expect(byViewer.body.error?.code).toBe("AUTH003");
    expect((await call("GET", "/api/v1/teams", { token: globalViewer.accessToken })).status).toBe(200);
  });
});

describe("GET/PUT/DELETE /teams/:id", () => {
  it("shows a team to members only (RES001 for others)", async () => {
    const team = await newTeam(owner);
    const res = await call("GET", `/api/v1/teams/${team.id}`, { token: owner.accessToken });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ id: team.id, role: "owner", memberCount: 1 });
    expect((await call("GET", `/api/v1/teams/${team.id}`, { token: outsider.accessToken })).body.error?.code).toBe(
      "RES001",
    );
    expect(
      (await call("GET", "/api/v1/teams/team_doesnotexist0000000", { token: owner.accessToken })).body.error?.code,
    ).toBe("RES001");
  });

  it("lets owners and admins rename, not members (AUTH003) or outsiders (RES001)", async () => {
    const team = await newTeam(owner);
    const renamed = await call("PUT", `/api/v1/teams/${team.id}`, {
      token: owner.accessToken,
      body: { name: "Acme Renamed" },
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body.data.name).toBe("Acme Renamed");
    expect(
      (await call("PUT", `/api/v1/teams/${team.id}`, { token: owner.accessToken, body: {} })).body.error?.code,
    ).toBe("VAL001");
    const member = await memberOf(team, "member");
    expect(
      (await call("PUT", `/api/v1/teams/${team.id}`, { token: member.accessToken, body: { name: "Nope" } })).body.error
        ?.code,
    ).toBe("AUTH003");
    expect(
      (await call("PUT", `/api/v1/teams/${team.id}`, { token: outsider.accessToken, body: { name: "Nope" } })).body
        .error?.code,
    ).toBe("RES001");
    const admin = await memberOf(team, "admin");
    expect(
      (await call("PUT", `/api/v1/teams/${team.id}`, { token: admin.accessToken, body: { description: null } })).status,
    ).toBe(200);
  });

  it("lets only owners delete, removing memberships and invitations", async () => {
    const team = await newTeam(owner);
    const admin = await memberOf(team, "admin");
    await invite(team, owner, uniqueEmail("pending"));
    expect((await call("DELETE", `/api/v1/teams/${team.id}`, { token: admin.accessToken })).body.error?.code).toBe(
      "AUTH003",
    );
    expect((await call("DELETE", `/api/v1/teams/${team.id}`, { token: outsider.accessToken })).body.error?.code).toBe(
      "RES001",
    );
    const res = await call("DELETE", `/api/v1/teams/${team.id}`, { token: owner.accessToken });
    expect(res.status).toBe(200);
    for (const table of ["teams", "team_members", "team_invitations"]) {
      const column = table === "teams" ? "id" : "team_id";
      const row = await env.DB.prepare(`SELECT count(*) AS n FROM ${table} WHERE ${column} = ?`)
        .bind(team.id)
        .first<{ n: number }>();
      expect(row?.n, table).toBe(0);
    }
    expect((await call("GET", `/api/v1/teams/${team.id}`, { token: owner.accessToken })).body.error?.code).toBe(
      "RES001",
    );
  });
});

describe("invitations", () => {
  it("emails someone without an account; after registering with that email they accept and join", async () => {
    const team = await newTeam(owner, "Invite Co");
    const email = uniqueEmail("newcomer");
    const { invitation, token, mail } = await invite(team, owner, email, "viewer");
    expect(invitation).toMatchObject({ email, role: "viewer", status: "pending", teamId: team.id });
    expect(mail.subject).toContain("Invite Co");
    expect(mail.html).toContain(`/teams/invitations/${token}`);

    // Only the hash of the token is stored.
    const row = await env.DB.prepare("SELECT * FROM team_invitations WHERE id = ?").bind(invitation.id).first();
    expect(JSON.stringify(row)).not.toContain(token);

    // Another logged-in user cannot use it.
    const wrong = await call("POST", `/api/v1/teams/invitations/${token}/accept`, { token: outsider.accessToken });
    expect(wrong.body.error?.code).toBe("AUTH003");

    const newcomer = await createUser({ email });
    const key = await call("POST", "/api/v1/api-keys", {
      token: newcomer.accessToken,
      body: { name: "k", scopes: ["teams:write"] },
    });
    const byKey = await call("POST", `/api/v1/teams/invitations/${token}/accept`, { token: key.body.data.secret });
    expect(byKey.body.error?.code).toBe("AUTH003");
    const accepted = await call("POST", `/api/v1/teams/invitations/${token}/accept`, { token: newcomer.accessToken });
    expect(accepted.status).toBe(200);
    expect(accepted.body.data).toMatchObject({ teamId: team.id, userId: newcomer.user.id, role: "viewer" });
    expect(await teamRoleOf(db(env.DB), team.id, newcomer.user.id)).toBe("viewer");
    expect(await teamIdsOf(db(env.DB), newcomer.user.id)).toEqual([team.id]);

    const again = await call("POST", `/api/v1/teams/invitations/${token}/accept`, { token: newcomer.accessToken });
    expect(again.status).toBe(409);
    expect(again.body.error?.code).toBe("RES002");
    expect(
      (await call("POST", `/api/v1/teams/invitations/${"x".repeat(43)}/accept`, { token: newcomer.accessToken })).body
        .error?.code,
    ).toBe("RES001");
    expect((await call("POST", `/api/v1/teams/invitations/${token}/accept`)).body.error?.code).toBe("AUTH004");
  });

  it("replaces an open invitation when re-inviting (the old token dies) and refuses expired ones", async () => {
    const team = await newTeam(owner);
    const email = uniqueEmail("twice");
    const first = await invite(team, owner, email);
    const second = await invite(team, owner, email);
    expect(second.token).not.toBe(first.token);
    const user = await createUser({ email });
    const old = await call("POST", `/api/v1/teams/invitations/${first.token}/accept`, { token: user.accessToken });
    expect(old.body.error).toMatchObject({ code: "RES002", details: { reason: "revoked" } });
    await env.DB.prepare("UPDATE team_invitations SET expires_at = ? WHERE id = ?")
      .bind(new Date(Date.now() - 1000).toISOString(), second.invitation.id)
      .run();
    const expired = await call("POST", `/api/v1/teams/invitations/${second.token}/accept`, { token: user.accessToken });
    expect(expired.body.error).toMatchObject({ code: "RES002", details: { reason: "expired" } });
  });

  it("checks who may invite whom, and refuses existing members and bad input", async () => {
    const team = await newTeam(owner);
    const admin = await memberOf(team, "admin");
    const member = await memberOf(team, "member");
    const to = uniqueEmail("x");
    expect(
      (
        await call("POST", `/api/v1/teams/${team.id}/members`, {
          token: admin.accessToken,
          body: { email: to, role: "member" },
        })
      ).status,
    ).toBe(201);
    expect(
      (
        await call("POST", `/api/v1/teams/${team.id}/members`, {
          token: admin.accessToken,
          body: { email: to, role: "admin" },
        })
      ).body.error?.code,
    ).toBe("AUTH003");
    expect(
      (await call("POST", `/api/v1/teams/${team.id}/members`, { token: member.accessToken, body: { email: to } })).body
        .error?.code,
    ).toBe("AUTH003");
    expect(
      (await call("POST", `/api/v1/teams/${team.id}/members`, { token: outsider.accessToken, body: { email: to } }))
        .body.error?.code,
    ).toBe("RES001");
    expect(
      (
        await call("POST", `/api/v1/teams/${team.id}/members`, {
          token: owner.accessToken,
          body: { email: member.email },
        })
      ).body.error?.code,
    ).toBe("RES002");
    expect(
      (
        await call("POST", `/api/v1/teams/${team.id}/members`, {
          token: owner.accessToken,
          body: { email: "not-an-email" },
        })
      ).body.error?.code,
    ).toBe("VAL001");
    expect(
      (
        await call("POST", `/api/v1/teams/${team.id}/members`, {
          token: owner.accessToken,
          body: { email: to, role: "boss" },
        })
      ).body.error?.code,
    ).toBe("VAL001");
  });
});

describe("GET/DELETE /teams/:id/invitations", () => {
  it("lists open invitations to owners and admins, and revoking one kills its token", async () => {
    const team = await newTeam(owner);
    const member = await memberOf(team, "member");
    const email = uniqueEmail("revoked");
    const { invitation, token } = await invite(team, owner, email, "viewer");
    const list = await call("GET", `/api/v1/teams/${team.id}/invitations`, { token: owner.accessToken });
    expect(list.status).toBe(200);
    expect(list.body.data).toEqual([
      expect.objectContaining({ id: invitation.id, email, role: "viewer", status: "pending" }),
    ]);
    expect(
      (await call("GET", `/api/v1/teams/${team.id}/invitations`, { token: member.accessToken })).body.error?.code,
    ).toBe("AUTH003");
    expect(
      (await call("GET", `/api/v1/teams/${team.id}/invitations`, { token: outsider.accessToken })).body.error?.code,
    ).toBe("RES001");
    expect(
      (await call("DELETE", `/api/v1/teams/${team.id}/invitations/${invitation.id}`, { token: member.accessToken }))
        .body.error?.code,
    ).toBe("AUTH003");

    const revoked = await call("DELETE", `/api/v1/teams/${team.id}/invitations/${invitation.id}`, {
      token: owner.accessToken,
    });
    expect(revoked.status).toBe(200);
    expect(
      (await call("DELETE", `/api/v1/teams/${team.id}/invitations/${invitation.id}`, { token: owner.accessToken })).body
        .error?.code,
    ).toBe("RES001");
    expect((await call("GET", `/api/v1/teams/${team.id}/invitations`, { token: owner.accessToken })).body.data).toEqual(
      [],
    );
    const invitee = await createUser({ email });
    const accept = await call("POST", `/api/v1/teams/invitations/${token}/accept`, { token: invitee.accessToken });
    expect(accept.body.error).toMatchObject({ code: "RES002", details: { reason: "revoked" } });
    expect((await call("DELETE", `/api/v1/teams/${team.id}/invitations/${invitation.id}`)).body.error?.code).toBe(
      "AUTH004",
    );
  });
});

describe("members", () => {
  it("lists members with names and roles, to members only", async () => {
    const team = await newTeam(owner);
    const member = await memberOf(team, "member");
    const res = await call("GET", `/api/v1/teams/${team.id}/members`, { token: member.accessToken });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual([
      expect.objectContaining({ userId: owner.user.id, role: "owner", email: owner.email }),
      expect.objectContaining({ userId: member.user.id, role: "member", email: member.email }),
    ]);
    expect(res.body.pagination.total).toBe(2);
    expect(
      (await call("GET", `/api/v1/teams/${team.id}/members`, { token: outsider.accessToken })).body.error?.code,
    ).toBe("RES001");
    expect(
      (await call("GET", `/api/v1/teams/${team.id}/members?page=0`, { token: owner.accessToken })).body.error?.code,
    ).toBe("VAL001");
  });

  it("changes roles under the rules and never leaves a team without an owner", async () => {
    const team = await newTeam(owner);
    const admin = await memberOf(team, "admin");
    const member = await memberOf(team, "member");
    const url = (u: TestUser) => `/api/v1/teams/${team.id}/members/${u.user.id}`;

    const promoted = await call("PUT", url(member), { token: admin.accessToken, body: { role: "viewer" } });
    expect(promoted.status).toBe(200);
    expect(promoted.body.data.role).toBe("viewer");
    expect(
      (await call("PUT", url(member), { token: admin.accessToken, body: { role: "admin" } })).body.error?.code,
    ).toBe("AUTH003");
    expect(
      (await call("PUT", url(member), { token: member.accessToken, body: { role: "member" } })).body.error?.code,
    ).toBe("AUTH003");
    expect(
      (await call("PUT", url(member), { token: owner.accessToken, body: { role: "chief" } })).body.error?.code,
    ).toBe("VAL001");
    expect(
      (
        await call("PUT", `/api/v1/teams/${team.id}/members/usr_nobody`, {
          token: owner.accessToken,
          body: { role: "member" },
        })
      ).body.error?.code,
    ).toBe("RES001");

    const lastOwner = await call("PUT", url(owner), { token: owner.accessToken, body: { role: "admin" } });
    expect(lastOwner.status).toBe(409);
    expect(lastOwner.body.error?.code).toBe("RES002");
    expect((await call("PUT", url(admin), { token: owner.accessToken, body: { role: "owner" } })).status).toBe(200);
    expect((await call("PUT", url(owner), { token: owner.accessToken, body: { role: "member" } })).status).toBe(200);
    expect(await teamRoleOf(db(env.DB), team.id, owner.user.id)).toBe("member");
  });

  it("lets members leave, admins remove those below them, and keeps the last owner", async () => {
    const team = await newTeam(owner);
    const admin = await memberOf(team, "admin");
    const member = await memberOf(team, "member");
    const viewer = await memberOf(team, "viewer");
    const url = (u: TestUser) => `/api/v1/teams/${team.id}/members/${u.user.id}`;

    expect((await call("DELETE", url(admin), { token: member.accessToken })).body.error?.code).toBe("AUTH003");
    expect((await call("DELETE", url(owner), { token: admin.accessToken })).body.error?.code).toBe("AUTH003");
    expect((await call("DELETE", url(viewer), { token: admin.accessToken })).status).toBe(200);
    expect((await call("DELETE", url(member), { token: member.accessToken })).status).toBe(200);
    const last = await call("DELETE", url(owner), { token: owner.accessToken });
    expect(last.body.error?.code).toBe("RES002");
    expect((await call("DELETE", url(member), { token: owner.accessToken })).body.error?.code).toBe("RES001");
    expect((await call("DELETE", url(admin))).body.error?.code).toBe("AUTH004");
    expect(await teamIdsOf(db(env.DB), member.user.id)).toEqual([]);

    const actions = await env.DB.prepare(
      "SELECT action FROM audit_logs WHERE resource_id = ? ORDER BY created_at, rowid",
    )
      .bind(team.id)
      .all<{ action: string }>();
    expect(actions.results.map((r) => r.action)).toEqual(
      expect.arrayContaining([
        "team.created",
        "team.member.invited",
        "team.member.joined",
        "team.member.removed",
        "team.member.left",
      ]),
    );
  });
});
