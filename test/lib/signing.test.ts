import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { privateKeyToAccount } from "viem/accounts";
import { parseSignatureImage, signBody, verifyWalletSignature, walletTypedData } from "../../src/domain/signing";
import { ruleMatches, workflowApprovers, type WorkflowRule } from "../../src/domain/workflows";
import { issueSigningToken, verifySigningToken } from "../../src/lib/signing-token";
import { base64Encode } from "../../src/lib/crypto";

const CTR = "ctr_00000000000000000001";
const HASH = "ab".repeat(32);

describe("signing tokens", () => {
  it("bind contract and signer, expire, and reject tampering", () => {
    const now = new Date("2026-11-22T12:00:00Z");
    const token = issueSigningToken(env, CTR, "sig_1", now);
    expect(verifySigningToken(env, token, CTR, now)).toMatchObject({ contractId: CTR, signerId: "sig_1" });
    expect(verifySigningToken(env, token, "ctr_00000000000000000002", now)).toBeNull();
    expect(verifySigningToken(env, token, CTR, new Date(now.getTime() + 73 * 3_600_000))).toBeNull();
    const [p, body, tag] = token.split(".");
    const forged = Buffer.from(JSON.stringify({ contractId: CTR, signerId: "sig_2", exp: 9e9 })).toString("base64url");
    expect(verifySigningToken(env, `${p}.${forged}.${tag}`, CTR, now)).toBeNull();
    expect(verifySigningToken(env, `${p}.${body}.${tag!.slice(0, -2)}aa`, CTR, now)).toBeNull();
    expect(verifySigningToken({ VAULT_KEK: base64Encode(new Uint8Array(32).fill(7)) }, token, CTR, now)).toBeNull();
  });
});

describe("wallet signatures (EIP-712)", () => {
  const account = privateKeyToAccount(`0x${"22".repeat(32)}`);
  it("accepts the stated address's signature over this contract, hash and signer only", async () => {
    const sig = await account.signTypedData(walletTypedData(CTR, HASH, "a@x.com"));
    const base = {
      contractId: CTR,
      documentHash: HASH,
      signerEmail: "a@x.com",
      address: account.address,
      signature: sig,
    };
    expect(await verifyWalletSignature(base)).toBe(true);
    expect(await verifyWalletSignature({ ...base, documentHash: `0x${HASH.toUpperCase()}` })).toBe(true);
    expect(await verifyWalletSignature({ ...base, documentHash: "cd".repeat(32) })).toBe(false);
    expect(await verifyWalletSignature({ ...base, signerEmail: "b@x.com" })).toBe(false);
    expect(await verifyWalletSignature({ ...base, address: privateKeyToAccount(`0x${"33".repeat(32)}`).address })).toBe(
      false,
    );
    expect(await verifyWalletSignature({ ...base, signature: "0x1234" })).toBe(false);
  });
});

describe("signature input", () => {
  it("requires consent: true and bounds each kind", () => {
    expect(signBody.safeParse({ signature: { type: "typed", value: "A" }, consent: true }).success).toBe(true);
    expect(signBody.safeParse({ signature: { type: "typed", value: "A" }, consent: false }).success).toBe(false);
    expect(signBody.safeParse({ signature: { type: "typed", value: "A" } }).success).toBe(false);
    expect(signBody.safeParse({ signature: { type: "typed", value: "A", font: "comic" }, consent: true }).success).toBe(
      false,
    );
    expect(
      signBody.safeParse({
        signature: { type: "wallet", value: "0x12", address: "0x" + "1".repeat(40) },
        consent: true,
      }).success,
    ).toBe(false);
    expect(signBody.safeParse({ signature: { type: "drawn", value: "not a data url" }, consent: true }).success).toBe(
      false,
    );
  });

  it("images: PNG/SVG drawn, PNG/JPEG uploaded, sniffed from the bytes; scripted SVG refused", () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1]);
    const url = (mime: string, b: Uint8Array) => `data:${mime};base64,${base64Encode(b)}`;
    const svg = (s: string) => url("image/svg+xml", new TextEncoder().encode(s));
    expect(parseSignatureImage("drawn", url("image/png", png))?.type.mime).toBe("image/png");
    expect(
      parseSignatureImage("drawn", svg('<svg xmlns="http://www.w3.org/2000/svg"><path d="M0 0L9 9"/></svg>'))?.type
        .mime,
    ).toBe("image/svg+xml");
    expect(parseSignatureImage("drawn", svg('<svg onload="x()"></svg>'))).toBeNull();
    expect(parseSignatureImage("drawn", svg('<svg><image href="https://evil.example/x.png"/></svg>'))).toBeNull();
    expect(parseSignatureImage("uploaded", svg("<svg></svg>"))).toBeNull();
    expect(parseSignatureImage("drawn", url("image/jpeg", new Uint8Array([0xff, 0xd8, 0xff, 0])))).toBeNull();
    expect(parseSignatureImage("uploaded", url("image/jpeg", new Uint8Array([0xff, 0xd8, 0xff, 0])))?.type.mime).toBe(
      "image/jpeg",
    );
    expect(parseSignatureImage("drawn", url("image/png", new Uint8Array(100 * 1024 + 1).fill(0x89)))).toBeNull();
  });
});

describe("workflow rules", () => {
  const rule = (over: Partial<WorkflowRule>): WorkflowRule => ({
    id: "wfl_1",
    name: "r",
    whenType: null,
    whenMinValue: null,
    approvers: [],
    createdAt: "2026-01-01",
    ...over,
  });
  it("match on type and minimum value; approvers merged by email at their lowest order", () => {
    expect(ruleMatches(rule({ whenType: "nda" }), { type: "nda", value: null })).toBe(true);
    expect(ruleMatches(rule({ whenType: "nda" }), { type: "sale", value: null })).toBe(false);
    expect(ruleMatches(rule({ whenMinValue: 100 }), { type: "sale", value: { amount: 100 } })).toBe(true);
    expect(ruleMatches(rule({ whenMinValue: 100 }), { type: "sale", value: { amount: 99 } })).toBe(false);
    expect(ruleMatches(rule({ whenMinValue: 100 }), { type: "sale", value: null })).toBe(false);
    const approvers = workflowApprovers(
      [
        rule({
          id: "a",
          approvers: [
            { email: "X@a.com", order: 3 },
            { email: "y@a.com", order: 1 },
          ],
        }),
        rule({ id: "b", approvers: [{ email: "x@a.com", order: 2 }] }),
        rule({ id: "c", whenType: "nda", approvers: [{ email: "z@a.com", order: 1 }] }),
      ],
      { type: "sale", value: null },
    );
    expect(approvers).toEqual([
      { email: "x@a.com", order: 2 },
      { email: "y@a.com", order: 1 },
    ]);
  });
});
