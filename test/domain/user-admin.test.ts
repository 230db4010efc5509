import { describe, expect, it } from "vitest";
import { checkUserAdminChange, userStatus } from "../../src/domain/user-admin";

const admin = { id: "usr_admin", role: "admin" as const };
const superAdmin = { id: "usr_super", role: "super_admin" as const };
const user = { id: "usr_user", role: "user" as const };

describe("checkUserAdminChange", () => {
  it("lets an admin change an ordinary user's role between user and viewer, and suspend them", () => {
    expect(checkUserAdminChange({ actor: admin, target: user, role: "viewer" })).toEqual({ ok: true });
    expect(checkUserAdminChange({ actor: admin, target: user, suspension: true })).toEqual({ ok: true });
  });
  it("keeps admin rights for super_admins to grant or act on", () => {
    expect(checkUserAdminChange({ actor: admin, target: user, role: "admin" })).toEqual({
      ok: false,
      reason: "needs_super_admin",
    });
    expect(checkUserAdminChange({ actor: admin, target: user, role: "super_admin" })).toEqual({
      ok: false,
      reason: "needs_super_admin",
    });
    expect(checkUserAdminChange({ actor: admin, target: { id: "usr_b", role: "admin" }, suspension: true })).toEqual({
      ok: false,
      reason: "needs_super_admin",
    });
    expect(checkUserAdminChange({ actor: superAdmin, target: user, role: "admin" })).toEqual({ ok: true });
    expect(checkUserAdminChange({ actor: superAdmin, target: admin, role: "user" })).toEqual({ ok: true });
  });
  it("never lets anyone demote or suspend themselves, nor a non-admin act", () => {
    expect(checkUserAdminChange({ actor: superAdmin, target: superAdmin, role: "user" })).toEqual({
      ok: false,
      reason: "self",
    });
    expect(checkUserAdminChange({ actor: admin, target: admin, suspension: true })).toEqual({
      ok: false,
      reason: "self",
    });
    expect(checkUserAdminChange({ actor: user, target: { id: "usr_x", role: "viewer" }, role: "user" })).toEqual({
      ok: false,
      reason: "not_admin",
    });
  });
});

describe("userStatus", () => {
  it("ranks deleted over suspended over unverified", () => {
    expect(userStatus({ deletedAt: "t", suspended: true, emailVerifiedAt: null })).toBe("deleted");
    expect(userStatus({ deletedAt: null, suspended: true, emailVerifiedAt: "t" })).toBe("suspended");
    expect(userStatus({ deletedAt: null, suspended: false, emailVerifiedAt: null })).toBe("unverified");
    expect(userStatus({ deletedAt: null, suspended: false, emailVerifiedAt: "t" })).toBe("active");
  });
});
