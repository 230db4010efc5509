// Phone numbers for SMS: E.164 input only, checked against libphonenumber-js's full metadata (number plans per
// country), and refused when the plan says the number is a landline (it could never receive the code).
import { parsePhoneNumberFromString } from "libphonenumber-js/max";

/** E.164 (ITU-T E.164): `+`, a country code not starting with 0, at most 15 digits in all. */
const E164 = /^\+[1-9]\d{1,14}$/;

/** Number types that can receive SMS (undefined: the plan does not tell, so the number gets the benefit). */
const SMS_CAPABLE = new Set([undefined, "MOBILE", "FIXED_LINE_OR_MOBILE", "PERSONAL_NUMBER"]);

export type PhoneCheck = { ok: true; phone: string; country: string | null } | { ok: false; reason: string };

/**
 * Checks a phone number given in E.164.
 * @param input e.g. `+2348012345678`
 * @returns the canonical E.164 form and its ISO 3166 country, or why it is refused
 */
export function checkPhone(input: string): PhoneCheck {
  if (!E164.test(input)) return { ok: false, reason: "must be in E.164 form, e.g. +2348012345678" };
  const parsed = parsePhoneNumberFromString(input);
  if (!parsed || !parsed.isValid()) return { ok: false, reason: "is not a valid phone number" };
  if (!SMS_CAPABLE.has(parsed.getType())) return { ok: false, reason: "cannot receive SMS (not a mobile number)" };
  return { ok: true, phone: parsed.number, country: parsed.country ?? null };
}
