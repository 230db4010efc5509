// Paystack's webhook signature: `x-paystack-signature` = hex HMAC-SHA512 of the raw request body, keyed with
// the secret key. Compared in constant time.
import { hmac } from "@noble/hashes/hmac.js";
import { sha512 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";
import { timingSafeEqual } from "../crypto";

export function paystackSignature(secretKey: string, rawBody: string | Uint8Array): string {
  return bytesToHex(hmac(sha512, utf8ToBytes(secretKey), typeof rawBody === "string" ? utf8ToBytes(rawBody) : rawBody));
}

export function verifyPaystackSignature(
  secretKey: string,
  rawBody: string | Uint8Array,
  signature: string | null | undefined,
): boolean {
  if (!signature || !/^[0-9a-f]{128}$/i.test(signature)) return false;
  return timingSafeEqual(paystackSignature(secretKey, rawBody), signature.toLowerCase());
}
