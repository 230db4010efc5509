// Password hashing: argon2id (the reference C implementation as bundled WebAssembly, src/lib/argon2.ts), stored as a
// PHC string so parameters can be raised later and old hashes upgraded at the next login. Hashes written by the
// earlier pure-JS implementation (@noble/hashes) are the same bytes and verify unchanged.
import argon2Module from "@phi-ag/argon2/argon2.wasm";
import { Argon2Wasm } from "./argon2";
import { base64Decode, base64Encode, randomBytes, timingSafeEqual } from "./crypto";

export interface Argon2Params {
  /** Memory in KiB. */
  m: number;
  /** Iterations. */
  t: number;
  /** Lanes. */
  p: number;
}

/** OWASP's second argon2id profile (19 MiB, 2 passes, 1 lane); its cost in workerd is in the README (Performance). */
export const CURRENT_PARAMS: Argon2Params = { m: 19_456, t: 2, p: 1 };
/** Bounds a stored hash may claim, so a corrupted/hostile row cannot make verification allocate gigabytes. */
const MAX_PARAMS: Argon2Params = { m: 262_144, t: 10, p: 4 };

export const PASSWORD_MIN_LENGTH = 10;
/** argon2 accepts any length, but hashing megabytes would be a cheap DoS; 256 covers every passphrase. */
export const PASSWORD_MAX_LENGTH = 256;

const SALT_BYTES = 16;
const HASH_BYTES = 32;
const VERSION = 19;

const b64 = (bytes: Uint8Array) => base64Encode(bytes).replace(/=+$/, "");

/** Instantiated on first use (not at startup, which has a 1 s budget); one per isolate, reused by every request. */
let engine: Argon2Wasm | undefined;

/** The argon2id tag of the UTF-8 bytes of `password`. */
function argon2id(password: string, salt: Uint8Array, params: Argon2Params, dkLen: number): Uint8Array {
  engine ??= new Argon2Wasm(argon2Module);
  return engine.argon2id({ password: new TextEncoder().encode(password), salt, ...params, dkLen });
}

export function hashPassword(
  password: string,
  params: Argon2Params = CURRENT_PARAMS,
  salt = randomBytes(SALT_BYTES),
): string {
  const hash = argon2id(password, salt, params, HASH_BYTES);
  return `$argon2id$v=${VERSION}$m=${params.m},t=${params.t},p=${params.p}$${b64(salt)}$${b64(hash)}`;
}

export interface ParsedHash {
  params: Argon2Params;
  salt: Uint8Array;
  hash: Uint8Array;
}

const PHC = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

export function parsePasswordHash(phc: string): ParsedHash | null {
  const match = PHC.exec(phc);
  if (!match) return null;
  const params = { m: Number(match[1]), t: Number(match[2]), p: Number(match[3]) };
  if (params.m > MAX_PARAMS.m || params.t > MAX_PARAMS.t || params.p > MAX_PARAMS.p) return null;
  if (params.t < 1 || params.p < 1 || params.m < 8 * params.p) return null;
  const pad = (s: string) => s + "=".repeat((4 - (s.length % 4)) % 4);
  return { params, salt: base64Decode(pad(match[4]!)), hash: base64Decode(pad(match[5]!)) };
}

/** Verifies with the parameters written in the hash itself (not the current ones). */
export function verifyPassword(password: string, phc: string): boolean {
  const parsed = parsePasswordHash(phc);
  if (!parsed) return false;
  // A stored tag shorter than argon2's minimum (4 bytes) cannot be one we wrote.
  if (parsed.hash.length < 4 || parsed.salt.length < 8) return false;
  const candidate = argon2id(password, parsed.salt, parsed.params, parsed.hash.length);
  return timingSafeEqual(candidate, parsed.hash);
}

/** True when the stored hash is weaker than CURRENT_PARAMS in any dimension (rehash after a successful login). */
export function needsRehash(phc: string, current: Argon2Params = CURRENT_PARAMS): boolean {
  const parsed = parsePasswordHash(phc);
  if (!parsed) return true;
  const { m, t, p } = parsed.params;
  return m < current.m || t < current.t || p < current.p || parsed.hash.length < HASH_BYTES;
}

/**
 * A hash of a random, discarded password under CURRENT_PARAMS. Logins for unknown emails verify against it so
 * the response takes as long as for a real account. Precomputed so even the first such login costs one hash.
 */
const DUMMY_HASH = "$argon2id$v=19$m=19456,t=2,p=1$WtuT2kzy4XZHPFIDnb7e7Q$0MSjQKMXJdqArH0rVpyaAjE4lN8d/raiC7gSm8eZKNk";

/** Burns the same work as verifying a real password; always false. */
export function verifyAgainstDummy(password: string): false {
  // If CURRENT_PARAMS are raised, the constant must follow, or unknown emails would answer faster.
  verifyPassword(password, needsRehash(DUMMY_HASH) ? hashPassword("unused") : DUMMY_HASH);
  return false;
}
