// Small crypto helpers shared by every module: hashing, HMAC, constant-time compare, AES-256-GCM seal/open,
// key derivation from VAULT_KEK, and base64/base64url codecs. Synchronous (noble) so callers stay simple.
import { gcm } from "@noble/ciphers/aes.js";
import { hkdf } from "@noble/hashes/hkdf.js";
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";

export type BytesLike = string | Uint8Array;

const toBytes = (value: BytesLike): Uint8Array => (typeof value === "string" ? utf8ToBytes(value) : value);

export function randomBytes(length: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(length));
}

export function sha256Hex(value: BytesLike): string {
  return bytesToHex(sha256(toBytes(value)));
}

/** SHA-256 through WebCrypto (native, async): for request bodies and uploaded files, which can be large. */
export async function digestSha256Hex(data: ArrayBuffer | Uint8Array): Promise<string> {
  return bytesToHex(new Uint8Array(await crypto.subtle.digest("SHA-256", data)));
}

export function hmacSha256(key: BytesLike, message: BytesLike): Uint8Array {
  return hmac(sha256, toBytes(key), toBytes(message));
}

export function hmacSha256Hex(key: BytesLike, message: BytesLike): string {
  return bytesToHex(hmacSha256(key, message));
}

/** Compares without an early exit, so the time taken says nothing about where two values differ. Lengths are public. */
export function timingSafeEqual(a: BytesLike, b: BytesLike): boolean {
  const x = toBytes(a);
  const y = toBytes(b);
  if (x.length !== y.length) return false;
  let diff = 0;
  for (let i = 0; i < x.length; i++) diff |= x[i]! ^ y[i]!;
  return diff === 0;
}

export function base64Encode(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

export function base64Decode(text: string): Uint8Array {
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

export function base64UrlEncode(bytes: Uint8Array): string {
  return base64Encode(bytes).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function base64UrlDecode(text: string): Uint8Array {
  const b64 = text.replace(/-/g, "+").replace(/_/g, "/");
  return base64Decode(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
}

/** The 32-byte key-encryption key from the VAULT_KEK secret (base64). */
export function vaultKek(secret: string): Uint8Array {
  const key = base64Decode(secret.trim());
  if (key.length !== 32) throw new Error("VAULT_KEK must be 32 bytes, base64-encoded");
  return key;
}

/**
 * A purpose-bound 32-byte key derived from VAULT_KEK with HKDF-SHA256, so one leaked derived key
 * (or a bug in one feature) never exposes another feature's data. `purpose` is a fixed label like "totp".
 */
export function deriveKey(vaultKekSecret: string, purpose: string): Uint8Array {
  return hkdf(sha256, vaultKek(vaultKekSecret), undefined, utf8ToBytes(`escra:${purpose}:v1`), 32);
}

const SEAL_VERSION = "v1";

/**
 * AES-256-GCM with a random 96-bit nonce. `aad` binds the ciphertext to its context (e.g. the owning user id),
 * so a sealed value copied to another row fails to open. Output: `v1.<nonce b64url>.<ciphertext+tag b64url>`.
 */
export function seal(key: Uint8Array, plaintext: BytesLike, aad?: BytesLike): string {
  const nonce = randomBytes(12);
  const ct = gcm(key, nonce, aad === undefined ? undefined : toBytes(aad)).encrypt(toBytes(plaintext));
  return `${SEAL_VERSION}.${base64UrlEncode(nonce)}.${base64UrlEncode(ct)}`;
}

/** Opens a value from `seal`; throws if it was tampered with, sealed under another key, or with another aad. */
export function open(key: Uint8Array, sealed: string, aad?: BytesLike): Uint8Array {
  const [version, nonce, ct] = sealed.split(".");
  if (version !== SEAL_VERSION || !nonce || !ct) throw new Error("Unrecognised sealed value");
  return gcm(key, base64UrlDecode(nonce), aad === undefined ? undefined : toBytes(aad)).decrypt(base64UrlDecode(ct));
}

export function openText(key: Uint8Array, sealed: string, aad?: BytesLike): string {
  return new TextDecoder().decode(open(key, sealed, aad));
}
