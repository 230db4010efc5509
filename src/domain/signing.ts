// Signature input (typed, drawn, uploaded, wallet) and the EIP-712 typed data a wallet signs. Pure: parsing and
// bounds here; storing images, verifying wallets and countersigning happen in src/lib/signatures.ts.
import { z } from "@hono/zod-openapi";
import { verifyTypedData, type Hex } from "viem";
import { base64Decode } from "../lib/crypto";
import { renderableText } from "../lib/fonts";
import { JPEG, PNG, sniffFileType, type FileType } from "../lib/image-type";
import { sanitizeSignatureSvg } from "./svg-signature";
import { walletTypedData } from "./wallet-typed-data";
import { oneLine } from "./one-line-text";

export { walletTypedData };

export const SIGNATURE_FONTS = ["caveat", "dancing-script", "great-vibes", "homemade-apple", "sans", "serif"] as const;
/** Drawn signatures are small pen strokes; uploaded ones are scans or photos. */
export const MAX_DRAWN_BYTES = 100 * 1024;
export const MAX_UPLOADED_BYTES = 1024 * 1024;

const dataUrl = z.string().regex(/^data:[a-z+/.-]+;base64,[A-Za-z0-9+/=]+$/, "expected a base64 data URL");

export const signatureInput = z
  .discriminatedUnion("type", [
    z.object({
      type: z.literal("typed"),
      // Drawn in a handwriting face on the executed document and the certificate: one line (no override reordering
      // the name as drawn), every character rendered.
      value: z.string().trim().min(1).max(200).superRefine(oneLine).superRefine(renderableText),
      font: z.enum(SIGNATURE_FONTS).default("caveat"),
    }),
    z.object({ type: z.literal("drawn"), value: dataUrl.max(Math.ceil((MAX_DRAWN_BYTES * 4) / 3) + 40) }),
    z.object({ type: z.literal("uploaded"), value: dataUrl.max(Math.ceil((MAX_UPLOADED_BYTES * 4) / 3) + 40) }),
    z.object({
      type: z.literal("wallet"),
      value: z.string().regex(/^0x[0-9a-fA-F]{130}$/, "expected a 65-byte hex signature"),
      address: z.string().regex(/^0x[0-9a-fA-F]{40}$/, "expected a 20-byte hex address"),
    }),
  ])
  .openapi("SignatureInput");
export type SignatureInput = z.infer<typeof signatureInput>;

export const signBody = z
  .object({ signature: signatureInput, consent: z.literal(true, { message: "consent must be true" }) })
  .openapi("SignContract");

const SVG: FileType = { mime: "image/svg+xml", ext: "svg" };

export interface SignatureImage {
  type: FileType;
  bytes: Uint8Array;
}

/**
 * The image of a drawn (PNG or SVG) or uploaded (PNG or JPEG) signature, with its real type sniffed from the bytes.
 * Null when the data is not such an image, or an SVG holds anything beyond allow-listed pen-stroke geometry; the
 * bytes of an accepted SVG are its safe re-serialisation, not the input.
 */
export function parseSignatureImage(kind: "drawn" | "uploaded", value: string): SignatureImage | null {
  const match = /^data:([a-z+/.-]+);base64,(.+)$/.exec(value);
  if (!match) return null;
  let bytes: Uint8Array;
  try {
    bytes = base64Decode(match[2]!);
  } catch {
    return null;
  }
  const max = kind === "drawn" ? MAX_DRAWN_BYTES : MAX_UPLOADED_BYTES;
  if (bytes.length === 0 || bytes.length > max) return null;
  if (kind === "drawn" && match[1] === SVG.mime) {
    // Rendered in browsers and PDFs later: only an allow-listed re-serialisation is kept (domain/svg-signature.ts).
    const safe = sanitizeSignatureSvg(new TextDecoder().decode(bytes));
    return safe === null ? null : { type: SVG, bytes: new TextEncoder().encode(safe) };
  }
  const type = sniffFileType(bytes, kind === "drawn" ? [PNG] : [PNG, JPEG]);
  return type ? { type, bytes } : null;
}

/** True when `signature` is `address`'s EIP-712 signature over this contract's document for this signer. */
export async function verifyWalletSignature(input: {
  contractId: string;
  documentHash: string;
  signerEmail: string;
  address: string;
  signature: string;
}): Promise<boolean> {
  try {
    return await verifyTypedData({
      ...walletTypedData(input.contractId, input.documentHash, input.signerEmail),
      address: input.address as Hex,
      signature: input.signature as Hex,
    });
  } catch {
    return false;
  }
}
