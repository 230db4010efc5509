// The JSON the hosted page hands a wallet (eth_signTypedData_v4) is the typed data the API verifies: a wallet that
// signs it exactly as received (EIP712Domain included) produces a signature the API's check accepts.
import { privateKeyToAccount } from "viem/accounts";
import { describe, expect, it } from "vitest";
import { verifyWalletSignature } from "../../src/domain/signing";
import { walletTypedData, walletTypedDataJson } from "../../src/domain/wallet-typed-data";

const CTR = "ctr_00000000000000000001";
const HASH = "AB".repeat(32);
const account = privateKeyToAccount(`0x${"44".repeat(32)}`);

describe("wallet typed data for eth_signTypedData_v4", () => {
  it("spells out the EIP712Domain type of its domain and otherwise equals the verified structure", () => {
    const json = JSON.parse(walletTypedDataJson(CTR, HASH, "a@x.com"));
    const { EIP712Domain, ...types } = json.types;
    expect(EIP712Domain).toEqual([
      { name: "name", type: "string" },
      { name: "version", type: "string" },
    ]);
    expect({ ...json, types }).toEqual(walletTypedData(CTR, HASH, "a@x.com"));
    expect(json.message.documentHash).toBe(`0x${"ab".repeat(32)}`);
  });

  it("a signature over the JSON as a wallet receives it verifies as this party's signature of this document", async () => {
    const signature = await account.signTypedData(JSON.parse(walletTypedDataJson(CTR, HASH, "a@x.com")));
    const input = { contractId: CTR, documentHash: HASH, signerEmail: "a@x.com", address: account.address, signature };
    expect(await verifyWalletSignature(input)).toBe(true);
    expect(await verifyWalletSignature({ ...input, signerEmail: "b@x.com" })).toBe(false);
  });
});
