// The consent to electronic records and signatures every party gives before signing: one wording, served by the API
// (the signer view's `party.consent`) to the hosted signing page and integrators' own pages, quoted in the certificate.

/** ESIGN Act (15 U.S.C. § 7001(c)) and eIDAS (Regulation (EU) No 910/2014, art. 25) consent, as every signing page
 * shows it before any signature (the hosted page reads it from the API: party.consent of the signer view). */
export const CONSENT_TEXT =
  "I agree to use electronic records and signatures for this document. I understand that my electronic signature " +
  "is legally binding, just like a handwritten signature, under the US ESIGN Act and the EU eIDAS Regulation, and " +
  "that I may ask the sender for a paper copy or withdraw this consent before signing.";

/**
 * Names the exact wording of CONSENT_TEXT: change it whenever the text changes, so a recorded consent (the version a
 * signer gave) always points at one wording. Format `esign-eidas-<yyyy-mm-dd of the wording>`.
 */
export const CONSENT_VERSION = "esign-eidas-2026-11-30";

/** What a signing page shows before any signature (served to every frontend, the hosted page included). */
export const ELECTRONIC_SIGNATURE_CONSENT = { version: CONSENT_VERSION, text: CONSENT_TEXT } as const;
