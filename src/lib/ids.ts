// Prefixed random ids (usr_…, ctr_…): 20 base62 characters ≈ 119 bits of randomness.
const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

export const ID_PREFIXES = [
  "usr",
  "ctr",
  "sig",
  "tpl",
  "esc",
  "lst",
  "att",
  "whe",
  "msg",
  "ntf",
  "key",
  "ses",
  "anc",
  "rpt",
  "team",
  "req",
  "evt",
  "eml",
  "dlq",
  "wfl",
  "shr",
  "ver",
  "ssr",
  "whd",
  "pay",
  "inv",
  "aud",
  "bat",
  // identity internals: refresh tokens, email verification codes, password resets, MFA recovery codes
  "rft",
  "evc",
  "pwr",
  "rcv",
  // outgoing SMS (the sms.send job's message id)
  "sms",
  // retention policies (governance)
  "pol",
  // partner OAuth 2: applications (the client_id), authorizations, token rows
  "oap",
  "oag",
  "oat",
  // external identities (OpenID Connect sign-in)
  "idn",
  // data lifecycle: asynchronous personal-data exports, consent records
  "dex",
  "cns",
] as const;
export type IdPrefix = (typeof ID_PREFIXES)[number];

export function randomToken(length: number): string {
  // Rejection sampling keeps every character equally likely.
  const out: string[] = [];
  while (out.length < length) {
    const bytes = crypto.getRandomValues(new Uint8Array(length * 2));
    for (const b of bytes) {
      if (b < 248 && out.length < length) out.push(ALPHABET[b % 62]!);
    }
  }
  return out.join("");
}

export function newId(prefix: IdPrefix): string {
  return `${prefix}_${randomToken(20)}`;
}

export function hasPrefix(id: string, prefix: IdPrefix): boolean {
  return new RegExp(`^${prefix}_[0-9A-Za-z]{20}$`).test(id);
}
