// The credential vault: envelope encryption. Each record has its own random AES-256-GCM data key; the data key
// is stored only wrapped (AES-256-GCM) under a key derived from VAULT_KEK. The record id is the associated data
// of both layers, so a sealed record copied onto another escrow does not open. Rotating the KEK re-wraps data
// keys and never touches ciphertexts.
import { deriveKey, open, randomBytes, seal, sha256Hex, openText } from "./crypto";

export interface SealedRecord {
  v: 1;
  /** Which KEK wrapped the data key (a fingerprint, not the key), so rotation knows what to re-wrap. */
  kekId: string;
  /** The data key sealed under the KEK-derived wrapping key; AAD `vault-dek:<recordId>`. */
  wrappedKey: string;
  /** The payload sealed under the data key; AAD = the record id. */
  ciphertext: string;
}

const wrappingKey = (kekSecret: string) => deriveKey(kekSecret, "vault-wrap");
const dekAad = (recordId: string) => `vault-dek:${recordId}`;

/** A KEK's public fingerprint (first 16 hex of the SHA-256 of its wrapping key). */
export function kekId(kekSecret: string): string {
  return sha256Hex(wrappingKey(kekSecret)).slice(0, 16);
}

export function sealRecord(kekSecret: string, recordId: string, plaintext: string): SealedRecord {
  const dataKey = randomBytes(32);
  const ciphertext = seal(dataKey, plaintext, recordId);
  const wrappedKey = seal(wrappingKey(kekSecret), dataKey, dekAad(recordId));
  dataKey.fill(0);
  return { v: 1, kekId: kekId(kekSecret), wrappedKey, ciphertext };
}

/** Throws when the KEK, the record id or any byte is wrong. */
export function openRecord(kekSecret: string, recordId: string, record: SealedRecord): string {
  if (record.kekId !== kekId(kekSecret)) throw new Error("record is wrapped under another key");
  const dataKey = open(wrappingKey(kekSecret), record.wrappedKey, dekAad(recordId));
  try {
    return openText(dataKey, record.ciphertext, recordId);
  } finally {
    dataKey.fill(0);
  }
}

/** Rotation: unwrap with the old KEK, wrap with the new one; the ciphertext is carried over byte for byte. */
export function rewrapRecord(
  oldKekSecret: string,
  newKekSecret: string,
  recordId: string,
  record: SealedRecord,
): SealedRecord {
  if (record.kekId === kekId(newKekSecret)) return record;
  if (record.kekId !== kekId(oldKekSecret)) throw new Error("record is wrapped under an unknown key");
  const dataKey = open(wrappingKey(oldKekSecret), record.wrappedKey, dekAad(recordId));
  try {
    return {
      v: 1,
      kekId: kekId(newKekSecret),
      wrappedKey: seal(wrappingKey(newKekSecret), dataKey, dekAad(recordId)),
      ciphertext: record.ciphertext,
    };
  } finally {
    dataKey.fill(0);
  }
}

/** Opens with the current KEK, or with the previous one while a rotation is under way. */
export function openWithKeys(
  keys: { current: string; previous?: string | undefined },
  recordId: string,
  record: SealedRecord,
): string {
  if (keys.previous && record.kekId === kekId(keys.previous)) return openRecord(keys.previous, recordId, record);
  return openRecord(keys.current, recordId, record);
}
