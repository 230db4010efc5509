// The consent to electronic records and signatures every party gives before signing (the hosted signing page shows
// it; the API's `consent: true` is the integrator's statement that its party saw the same), quoted in the certificate.

/** ESIGN Act (15 U.S.C. § 7001(c)) and eIDAS (Regulation (EU) No 910/2014, art. 25) consent, as web/sign/sign.ts
 * shows it before any signature. */
export const CONSENT_TEXT =
  "I agree to use electronic records and signatures for this document. I understand that my electronic signature " +
  "is legally binding, just like a handwritten signature, under the US ESIGN Act and the EU eIDAS Regulation, and " +
  "that I may ask the sender for a paper copy or withdraw this consent before signing.";
