import { describe, expect, it } from "vitest";
import {
  SCOPES,
  effectiveScopes,
  isScope,
  isWriteScope,
  keyActingRole,
  roleMayGrant,
  scopesBeyondRole,
} from "../../src/domain/scopes";

describe("scope catalog", () => {
  it("names every scope resource:read|write and knows its members", () => {
    for (const s of SCOPES) expect(s).toMatch(/^[a-z]+:(read|write)$/);
    expect(isScope("contracts:read")).toBe(true);
    expect(isScope("contracts:delete")).toBe(false);
    expect(isWriteScope("escrows:write")).toBe(true);
    expect(isWriteScope("escrows:read")).toBe(false);
  });
});

describe("a key never exceeds its owner's rights", () => {
  it("lets a viewer grant read scopes only", () => {
    expect(roleMayGrant("viewer", "contracts:read")).toBe(true);
    expect(scopesBeyondRole("viewer", ["contracts:read", "contracts:write", "webhooks:write"])).toEqual([
      "contracts:write",
      "webhooks:write",
    ]);
  });

  it("keeps admin scopes for admins", () => {
    expect(roleMayGrant("user", "admin:read")).toBe(false);
    expect(roleMayGrant("admin", "admin:write")).toBe(true);
    expect(roleMayGrant("super_admin", "admin:write")).toBe(true);
    expect(scopesBeyondRole("user", ["contracts:write", "escrows:write"])).toEqual([]);
  });

  it("drops scopes the owner lost since the key was minted, and unknown ones", () => {
    expect(effectiveScopes("viewer", ["contracts:read", "contracts:write", "bogus:read"])).toEqual(["contracts:read"]);
    expect(effectiveScopes("user", ["admin:write", "teams:write"])).toEqual(["teams:write"]);
  });
});

describe("keyActingRole", () => {
  it("an admin's key acts as an admin only with an admin scope", () => {
    expect(keyActingRole("admin", ["contracts:read"])).toBe("user");
    expect(keyActingRole("super_admin", [])).toBe("user");
    expect(keyActingRole("admin", ["admin:read"])).toBe("admin");
    expect(keyActingRole("super_admin", ["admin:write"])).toBe("super_admin");
    expect(keyActingRole("viewer", ["contracts:read"])).toBe("viewer");
    expect(keyActingRole("user", ["contracts:write"])).toBe("user");
  });
});
