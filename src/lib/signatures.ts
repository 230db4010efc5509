// Turns a party's signature input into the record the contract keeps: images stored in R2, wallet signatures
// verified, the signed document hash, time, IP, user agent and consent — countersigned by the platform's Ed25519
// key (the JWT key, published in the JWKS) so the record cannot later be denied or altered unnoticed.
import { CompactSign, compactVerify, createLocalJWKSet } from "jose";
import type { Bindings } from "../env";
import { canonicalJson } from "../domain/canonical-json";
import { parseSignatureImage, verifyWalletSignature, type SignatureInput } from "../domain/signing";
import { fail } from "./errors";
import { sha256Hex } from "./crypto";
import { platformSigningKey } from "./jwt";

export interface SignatureRecord {
  type: SignatureInput["type"];
  /** Typed: the name as typed; other kinds keep their value's hash only. */
  value: string | null;
  font: string | null;
  valueSha256: string;
  address: string | null;
  /** R2 key of a drawn or uploaded image. */
  imageKey: string | null;
  imageType: string | null;
  documentHash: string;
  signerId: string;
  signerEmail: string;
  contractId: string;
  signedAt: string;
  ip: string | null;
  userAgent: string | null;
  consent: true;
  countersignature: { alg: "EdDSA"; kid: string; jws: string };
}

/**
 * Content-addressed (SHA-256 of the image bytes): a key is only ever written with the same bytes, so no later
 * request — a refused second signing, a race — can change the image a signed record points to.
 */
export const signatureImageKey = (contractId: string, signerId: string, sha256: string, ext: string) =>
  `contracts/${contractId}/signatures/${signerId}/${sha256}.${ext}`;

export interface BuildSignatureInput {
  contractId: string;
  signerId: string;
  signerEmail: string;
  documentHash: string;
  signature: SignatureInput;
  ip: string | null;
  userAgent: string | null;
  now: string;
}

/**
 * Validates (VAL001 when the image or wallet signature is not acceptable), then stores the image under its
 * content address and countersigns. Callers decide first whether the party may sign (ContractRoom.checkAct).
 */
export async function buildSignatureRecord(env: Bindings, input: BuildSignatureInput): Promise<SignatureRecord> {
  const sig = input.signature;
  let image: ReturnType<typeof parseSignatureImage> = null;
  if (sig.type === "drawn" || sig.type === "uploaded") {
    image = parseSignatureImage(sig.type, sig.value);
    if (!image) {
      const allowed =
        sig.type === "drawn"
          ? "a PNG, or an SVG of plain pen strokes, of at most 100 KB"
          : "a PNG or JPEG of at most 1 MB";
      throw fail.invalid([{ path: "signature.value", message: `expected ${allowed}` }]);
    }
  }
  if (sig.type === "wallet") {
    const valid = await verifyWalletSignature({
      contractId: input.contractId,
      documentHash: input.documentHash,
      signerEmail: input.signerEmail,
      address: sig.address,
      signature: sig.value,
    });
    if (!valid)
      throw fail.invalid([{ path: "signature.value", message: "not a signature of this document by this address" }]);
  }
  // Every check passed: only now the one side effect, under a key no other bytes can ever take.
  let imageKey: string | null = null;
  let imageType: string | null = null;
  if (image) {
    imageKey = signatureImageKey(input.contractId, input.signerId, sha256Hex(image.bytes), image.type.ext);
    imageType = image.type.mime;
    await env.DOCUMENTS.put(imageKey, image.bytes, { httpMetadata: { contentType: image.type.mime } });
  }
  const unsigned = {
    type: sig.type,
    value: sig.type === "typed" ? sig.value : null,
    font: sig.type === "typed" ? sig.font : null,
    valueSha256: sha256Hex(sig.value),
    address: sig.type === "wallet" ? sig.address.toLowerCase() : null,
    imageKey,
    imageType,
    documentHash: input.documentHash,
    signerId: input.signerId,
    signerEmail: input.signerEmail,
    contractId: input.contractId,
    signedAt: input.now,
    ip: input.ip,
    userAgent: input.userAgent?.slice(0, 500) ?? null,
    consent: true as const,
  };
  return { ...unsigned, countersignature: await countersign(env, unsigned) };
}

/** A compact JWS (EdDSA) over the canonical JSON of the record without its countersignature. */
export async function countersign(env: Bindings, record: Omit<SignatureRecord, "countersignature">) {
  const { kid, signingKey } = await platformSigningKey(env);
  const jws = await new CompactSign(new TextEncoder().encode(canonicalJson(record)))
    .setProtectedHeader({ alg: "EdDSA", kid, typ: "escra-signature+jws" })
    .sign(signingKey);
  return { alg: "EdDSA" as const, kid, jws };
}

/** True when the countersignature verifies against the published keys and covers exactly this record. */
export async function verifyCountersignature(env: Bindings, record: SignatureRecord): Promise<boolean> {
  const { countersignature, ...unsigned } = record;
  const { jwks } = await platformSigningKey(env);
  try {
    const { payload } = await compactVerify(countersignature.jws, createLocalJWKSet(jwks), { algorithms: ["EdDSA"] });
    return new TextDecoder().decode(payload) === canonicalJson(unsigned);
  } catch {
    return false;
  }
}
