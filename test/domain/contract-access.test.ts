import { describe, expect, it } from "vitest";
import { decideAccess, type AccessFacts } from "../../src/db/contract-access";

const facts = (f: Partial<AccessFacts> = {}): AccessFacts => ({
  role: "user",
  isOwner: false,
  teamRole: null,
  sharePermission: null,
  isParty: false,
  ...f,
});

describe("decideAccess", () => {
  it("gives each relationship its level, the strongest one winning", () => {
    expect(decideAccess(facts())).toBe("none");
    expect(decideAccess(facts({ isOwner: true }))).toBe("owner");
    expect(decideAccess(facts({ teamRole: "owner" }))).toBe("owner");
    expect(decideAccess(facts({ teamRole: "admin" }))).toBe("owner");
    expect(decideAccess(facts({ teamRole: "member" }))).toBe("edit");
    expect(decideAccess(facts({ teamRole: "viewer" }))).toBe("view");
    expect(decideAccess(facts({ sharePermission: "edit" }))).toBe("edit");
    expect(decideAccess(facts({ sharePermission: "view" }))).toBe("view");
    expect(decideAccess(facts({ isParty: true }))).toBe("view");
    expect(decideAccess(facts({ isParty: true, sharePermission: "edit" }))).toBe("edit");
    expect(decideAccess(facts({ role: "admin" }))).toBe("view");
    expect(decideAccess(facts({ role: "super_admin", isOwner: true }))).toBe("owner");
  });

  it("never lets a platform viewer past view", () => {
    expect(decideAccess(facts({ role: "viewer", isOwner: true }))).toBe("view");
    expect(decideAccess(facts({ role: "viewer", sharePermission: "edit" }))).toBe("view");
    expect(decideAccess(facts({ role: "viewer" }))).toBe("none");
  });
});
