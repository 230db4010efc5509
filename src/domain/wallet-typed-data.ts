// The EIP-712 typed data a wallet signer signs, with no imports so the hosted signing page (web/sign/sign.ts) bundles
// exactly the structure the API verifies (src/domain/signing.ts verifyWalletSignature) — one source for both.

/**
 * EIP-712 (https://eips.ethereum.org/EIPS/eip-712): this contract, this exact frozen document, this party.
 * @param contractId `ctr_…`
 * @param documentHash the frozen document's SHA-256, 64 hex digits (with or without `0x`)
 * @param signerEmail the party's email as the contract lists it
 * @returns viem's `signTypedData`/`verifyTypedData` parameters (domain, types, primaryType, message)
 */
export function walletTypedData(contractId: string, documentHash: string, signerEmail: string) {
  return {
    domain: { name: "Escra", version: "1" },
    types: {
      ContractSignature: [
        { name: "contractId", type: "string" },
        { name: "documentHash", type: "bytes32" },
        { name: "signerEmail", type: "string" },
      ],
    },
    primaryType: "ContractSignature" as const,
    message: {
      contractId,
      documentHash: `0x${documentHash.replace(/^0x/i, "").toLowerCase()}` as `0x${string}`,
      signerEmail,
    },
  };
}

/**
 * The same typed data as the JSON string `eth_signTypedData_v4` takes (EIP-1193 wallets, MetaMask's format): v4
 * needs the domain's own type spelled out as `EIP712Domain`, which viem derives from the domain by itself.
 */
export function walletTypedDataJson(contractId: string, documentHash: string, signerEmail: string): string {
  const data = walletTypedData(contractId, documentHash, signerEmail);
  return JSON.stringify({
    ...data,
    types: {
      EIP712Domain: [
        { name: "name", type: "string" },
        { name: "version", type: "string" },
      ],
      ...data.types,
    },
  });
}
