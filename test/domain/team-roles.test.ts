import { describe, expect, it } from "vitest";
import {
  atLeast,
  canDeleteTeam,
  canInvite,
  rolesThatMayInvite,
  canUpdateTeam,
  checkRemoval,
  checkRoleChange,
} from "../../src/domain/team-roles";

describe("team role ranks", () => {
  it("orders owner > admin > member > viewer", () => {
    expect(atLeast("owner", "admin")).toBe(true);
    expect(atLeast("member", "admin")).toBe(false);
    expect(atLeast("viewer", "viewer")).toBe(true);
  });
  it("lets admins update and only owners delete", () => {
    expect(canUpdateTeam("admin")).toBe(true);
    expect(canUpdateTeam("member")).toBe(false);
    expect(canUpdateTeam(null)).toBe(false);
    expect(canDeleteTeam("owner")).toBe(true);
    expect(canDeleteTeam("admin")).toBe(false);
  });
});

describe("inviting", () => {
  it("owners invite any role; admins below admin; members and viewers nobody", () => {
    expect(canInvite("owner", "owner")).toBe(true);
    expect(canInvite("admin", "member")).toBe(true);
    expect(canInvite("admin", "viewer")).toBe(true);
    expect(canInvite("admin", "admin")).toBe(false);
    expect(canInvite("member", "viewer")).toBe(false);
    expect(canInvite(null, "viewer")).toBe(false);
  });
});

describe("changing roles", () => {
  it("lets an owner promote and demote when another owner remains", () => {
    expect(checkRoleChange({ actor: "owner", from: "member", to: "owner", ownerCount: 1 })).toBe("ok");
    expect(checkRoleChange({ actor: "owner", from: "owner", to: "admin", ownerCount: 2 })).toBe("ok");
  });
  it("never demotes the last owner", () => {
    expect(checkRoleChange({ actor: "owner", from: "owner", to: "member", ownerCount: 1 })).toBe("last_owner");
  });
  it("keeps admins below admin", () => {
    expect(checkRoleChange({ actor: "admin", from: "viewer", to: "member", ownerCount: 1 })).toBe("ok");
    expect(checkRoleChange({ actor: "admin", from: "member", to: "admin", ownerCount: 1 })).toBe("forbidden");
    expect(checkRoleChange({ actor: "admin", from: "admin", to: "member", ownerCount: 1 })).toBe("forbidden");
    expect(checkRoleChange({ actor: "member", from: "viewer", to: "member", ownerCount: 1 })).toBe("forbidden");
  });
});

describe("removing members", () => {
  it("lets anyone leave except the last owner", () => {
    expect(checkRemoval({ actor: "viewer", targetRole: "viewer", self: true, ownerCount: 1 })).toBe("ok");
    expect(checkRemoval({ actor: "owner", targetRole: "owner", self: true, ownerCount: 1 })).toBe("last_owner");
    expect(checkRemoval({ actor: "owner", targetRole: "owner", self: true, ownerCount: 2 })).toBe("ok");
  });
  it("lets owners remove anyone and admins only those below admin", () => {
    expect(checkRemoval({ actor: "owner", targetRole: "admin", self: false, ownerCount: 1 })).toBe("ok");
    expect(checkRemoval({ actor: "admin", targetRole: "member", self: false, ownerCount: 1 })).toBe("ok");
    expect(checkRemoval({ actor: "admin", targetRole: "admin", self: false, ownerCount: 1 })).toBe("forbidden");
    expect(checkRemoval({ actor: "member", targetRole: "viewer", self: false, ownerCount: 1 })).toBe("forbidden");
  });
});

describe("rolesThatMayInvite", () => {
  it("lists the roles whose holders may (still) invite a given role", () => {
    expect(rolesThatMayInvite("owner")).toEqual(["owner"]);
    expect(rolesThatMayInvite("admin")).toEqual(["owner"]);
    expect(rolesThatMayInvite("member")).toEqual(["owner", "admin"]);
    expect(rolesThatMayInvite("viewer")).toEqual(["owner", "admin"]);
  });
});
