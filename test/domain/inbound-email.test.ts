// Which contract an inbound address names, and who counts as a party.
import { describe, expect, it } from "vitest";
import { contractIdFromAddress, isParty } from "../../src/domain/inbound-email";

const ID = "ctr_AbCdEfGhIjKlMnOpQrSt";

describe("contractIdFromAddress", () => {
  it("reads contract+<id>@<domain>, keeping the id's case and ignoring the domain's", () => {
    expect(contractIdFromAddress(`contract+${ID}@escra.local`, "escra.local")).toBe(ID);
    expect(contractIdFromAddress(`Contract+${ID}@ESCRA.local`, "escra.local")).toBe(ID);
  });

  it("refuses other domains, other local parts and malformed ids", () => {
    expect(contractIdFromAddress(`contract+${ID}@evil.example`, "escra.local")).toBeNull();
    expect(contractIdFromAddress(`escrow+${ID}@escra.local`, "escra.local")).toBeNull();
    expect(contractIdFromAddress("contract+ctr_short@escra.local", "escra.local")).toBeNull();
    expect(contractIdFromAddress(`contract+${ID}+x@escra.local`, "escra.local")).toBeNull();
    expect(contractIdFromAddress("no-at-sign", "escra.local")).toBeNull();
  });
});

describe("isParty", () => {
  it("compares addresses case-insensitively and never matches an empty sender", () => {
    expect(isParty("Owner@Example.com", ["owner@example.com", "signer@example.com"])).toBe(true);
    expect(isParty("other@example.com", ["owner@example.com"])).toBe(false);
    expect(isParty("", [""])).toBe(false);
  });
});
