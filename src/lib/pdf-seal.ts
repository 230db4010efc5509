// PAdES baseline seal of a PDF (ETSI EN 319 142-1, B-B, and B-T with an RFC 3161 timestamp): a CMS detached
// signature (RFC 5652, SubFilter ETSI.CAdES.detached) over the PDF's byte range by the platform's sealing
// certificate, built with pkijs over WebCrypto; the signature value is timestamped by the configured
// Time-Stamping Authority (TSA_URL). A TSA that is down never blocks: the PDF is sealed without the timestamp
// (B-B) and the caller re-seals later (see src/services/contracts/seal-documents.ts).
import * as asn1js from "asn1js";
import * as pkijs from "pkijs";
import { SignPdf } from "@signpdf/signpdf";
import { DEFAULT_BYTE_RANGE_PLACEHOLDER, Signer, SUBFILTER_ETSI_CADES_DETACHED } from "@signpdf/utils";
import { Buffer } from "node:buffer";
import { PDFArray, PDFDict, PDFDocument, PDFHexString, PDFInvalidObject, PDFName, PDFNumber, PDFString } from "pdf-lib";
import { log } from "./request-context";

/** Object identifiers (RFC 5652 §11, RFC 5035 §5.4, RFC 3161 Appendix A, NIST). */
const OID = {
  data: "1.2.840.113549.1.7.1",
  signedData: "1.2.840.113549.1.7.2",
  contentType: "1.2.840.113549.1.9.3",
  messageDigest: "1.2.840.113549.1.9.4",
  signingCertificateV2: "1.2.840.113549.1.9.16.2.47",
  timeStampToken: "1.2.840.113549.1.9.16.2.14",
  sha256: "2.16.840.1.101.3.4.2.1",
} as const;

/** Bytes reserved for the CMS blob in /Contents: sealing cert + CA, RSA-2048 signature, a TSA token with its cert. */
const SIGNATURE_BYTES = 16_384;

export interface SealingIdentity {
  key: CryptoKey;
  /** The sealing certificate first, then its issuers (DER). */
  chain: pkijs.Certificate[];
}

export interface SealOptions {
  identity: SealingIdentity;
  /** RFC 3161 TSA endpoint; without it the seal is B-B (no timestamp). */
  tsaUrl?: string | undefined;
  /** Injected for tests at the HTTP boundary; defaults to the global fetch. */
  fetch?: typeof fetch;
  /** Signature dictionary entries (ISO 32000-1 §12.8.1). */
  reason: string;
  signingTime: Date;
}

export interface SealResult {
  pdf: Uint8Array;
  /** Whether an RFC 3161 timestamp token is embedded (PAdES B-T); false when the TSA was unreachable or refused. */
  timestamped: boolean;
}

const pemBlocks = (pem: string, label: string) =>
  [...pem.matchAll(new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`, "g"))].map((m) =>
    Uint8Array.from(atob(m[1]!.replace(/\s+/g, "")), (c) => c.charCodeAt(0)),
  );

/** Parsed identities per isolate. The resolved value is kept, never a pending promise: a promise made in one request
 * (or queue delivery) must not be awaited by another in workerd. */
const identities = new Map<string, SealingIdentity>();

/**
 * Parses the sealing secrets (once per isolate).
 * @param keyPem PKCS #8 RSA private key ("-----BEGIN PRIVATE KEY-----"), RSASSA-PKCS1-v1_5 with SHA-256
 * @param certPem the sealing certificate then its CA certificate(s), PEM
 * @returns null when either secret is missing (sealing is then off and documents go out unsealed)
 */
export async function sealingIdentity(
  keyPem: string | undefined,
  certPem: string | undefined,
): Promise<SealingIdentity | null> {
  if (!keyPem || !certPem) return null;
  const cacheKey = `${keyPem}\n${certPem}`;
  const cached = identities.get(cacheKey);
  if (cached) return cached;
  const [der] = pemBlocks(keyPem, "PRIVATE KEY");
  if (!der) throw new Error("SEALING_KEY is not a PKCS #8 PEM private key");
  const algorithm = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
  const key = await crypto.subtle.importKey("pkcs8", der, algorithm, false, ["sign"]);
  const chain = pemBlocks(certPem, "CERTIFICATE").map((c) => pkijs.Certificate.fromBER(c));
  if (chain.length === 0) throw new Error("SEALING_CERT holds no PEM certificate");
  const identity = { key, chain };
  identities.set(cacheKey, identity);
  return identity;
}

const seq = (...value: asn1js.AsnType[]) => new asn1js.Sequence({ value });

const sha256 = async (data: BufferSource) => new Uint8Array(await crypto.subtle.digest("SHA-256", data));

/**
 * Asks the TSA for a timestamp token over `signature` (RFC 3161 §2.4: TimeStampReq with a SHA-256 message
 * imprint, certReq true, a random nonce). Returns the token (a CMS ContentInfo), or null when the TSA is
 * unreachable, answers an error, or the reply does not match the request (wrong imprint or nonce).
 */
async function requestTimestamp(
  signature: Uint8Array,
  tsaUrl: string,
  fetcher: typeof fetch,
): Promise<pkijs.ContentInfo | null> {
  const imprint = await sha256(signature);
  const nonce = crypto.getRandomValues(new Uint8Array(8));
  nonce[0] = nonce[0]! & 0x7f; // a positive INTEGER
  const request = new pkijs.TimeStampReq({
    version: 1,
    messageImprint: new pkijs.MessageImprint({
      hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256 }),
      hashedMessage: new asn1js.OctetString({ valueHex: imprint }),
    }),
    nonce: new asn1js.Integer({ valueHex: nonce }),
    certReq: true,
  });
  try {
    const res = await fetcher(tsaUrl, {
      method: "POST",
      headers: { "content-type": "application/timestamp-query" },
      body: request.toSchema().toBER(),
      signal: AbortSignal.timeout(10_000),
    });
    if (!res.ok) throw new Error(`TSA answered ${res.status}`);
    const reply = pkijs.TimeStampResp.fromBER(await res.arrayBuffer());
    if (reply.status.status !== pkijs.PKIStatus.granted && reply.status.status !== pkijs.PKIStatus.grantedWithMods) {
      throw new Error(`TSA refused: status ${reply.status.status}`);
    }
    if (!reply.timeStampToken) throw new Error("TSA reply without a token");
    const tstInfo = pkijs.TSTInfo.fromBER(
      (
        new pkijs.SignedData({ schema: reply.timeStampToken.content }).encapContentInfo.eContent as asn1js.OctetString
      ).getValue(),
    );
    const echoed = new Uint8Array(tstInfo.messageImprint.hashedMessage.valueBlock.valueHexView);
    const sameNonce = tstInfo.nonce?.isEqual(new asn1js.Integer({ valueHex: nonce })) ?? false;
    if (!sameNonce || echoed.length !== imprint.length || echoed.some((b, i) => b !== imprint[i])) {
      throw new Error("TSA reply does not match the request");
    }
    return reply.timeStampToken;
  } catch (error) {
    log("warn", "timestamp authority unavailable; sealing without a timestamp", {
      tsa: tsaUrl,
      error: error instanceof Error ? error.message : String(error),
    });
    return null;
  }
}

/** @signpdf's signer contract: receives the PDF without its /Contents hole, returns the DER CMS blob. */
class CadesSigner extends Signer {
  timestamped = false;

  constructor(private readonly options: SealOptions) {
    super();
  }

  override async sign(content: Uint8Array): Promise<Buffer> {
    const { identity, tsaUrl } = this.options;
    const cert = identity.chain[0]!;
    const certHash = await sha256(cert.toSchema().toBER());
    const signedAttrs = new pkijs.SignedAndUnsignedAttributes({
      type: 0,
      attributes: [
        new pkijs.Attribute({ type: OID.contentType, values: [new asn1js.ObjectIdentifier({ value: OID.data })] }),
        new pkijs.Attribute({
          type: OID.messageDigest,
          values: [new asn1js.OctetString({ valueHex: await sha256(content) })],
        }),
        // ESS signing-certificate-v2 (RFC 5035): binds the signer's certificate into the signature, required by
        // CAdES/PAdES baseline. SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2 }, and
        // ESSCertIDv2 ::= SEQUENCE { certHash OCTET STRING } with the default SHA-256 left out.
        new pkijs.Attribute({
          type: OID.signingCertificateV2,
          values: [seq(seq(seq(new asn1js.OctetString({ valueHex: certHash }))))],
        }),
      ],
    });
    // PAdES B-B: no signing-time attribute; the claimed time is the signature dictionary's /M.
    const signedData = new pkijs.SignedData({
      version: 1,
      encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: OID.data }),
      signerInfos: [
        new pkijs.SignerInfo({
          version: 1,
          sid: new pkijs.IssuerAndSerialNumber({ issuer: cert.issuer, serialNumber: cert.serialNumber }),
          signedAttrs,
        }),
      ],
      certificates: identity.chain,
    });
    await signedData.sign(identity.key, 0, "SHA-256");

    const signerInfo = signedData.signerInfos[0]!;
    if (tsaUrl) {
      const token = await requestTimestamp(
        new Uint8Array(signerInfo.signature.valueBlock.valueHexView),
        tsaUrl,
        this.options.fetch ?? fetch,
      );
      if (token) {
        signerInfo.unsignedAttrs = new pkijs.SignedAndUnsignedAttributes({
          type: 1,
          attributes: [new pkijs.Attribute({ type: OID.timeStampToken, values: [token.toSchema()] })],
        });
        this.timestamped = true;
      }
    }
    const cms = new pkijs.ContentInfo({ contentType: OID.signedData, content: signedData.toSchema(true) });
    return Buffer.from(cms.toSchema().toBER());
  }
}

/**
 * Seals `pdf` (bytes of a complete PDF) with the platform's certificate: adds a signature field and an invisible
 * widget on page 1, reserves /Contents, and fills it with the CMS signature over the byte range.
 * @returns the sealed bytes and whether the timestamp is in (B-T) or not (B-B: TSA down, retry later)
 */
export async function sealPdf(pdf: Uint8Array, options: SealOptions): Promise<SealResult> {
  const doc = await PDFDocument.load(pdf, { updateMetadata: false });
  addSignaturePlaceholder(doc, options);
  const prepared = await doc.save({ useObjectStreams: false });
  const signer = new CadesSigner(options);
  const sealed = await new SignPdf().sign(Buffer.from(prepared), signer, options.signingTime);
  return { pdf: new Uint8Array(sealed), timestamped: signer.timestamped };
}

/**
 * The signature dictionary (ISO 32000-1 §12.8.1) with a zero-filled /Contents hole and a /ByteRange placeholder
 * that @signpdf/signpdf fills in, an invisible signature widget on page 1 and the AcroForm (SigFlags 3: signatures
 * exist, append only). Written here against the app's own pdf-lib, as @signpdf/placeholder-pdf-lib does against
 * its own copy: pdf-lib's objects are recognised by class, so objects of a second copy serialise as garbage.
 */
function addSignaturePlaceholder(doc: PDFDocument, options: SealOptions) {
  const { context } = doc;
  const page = doc.getPages()[0]!;
  const byteRange = PDFArray.withContext(context);
  byteRange.push(PDFNumber.of(0));
  for (let i = 0; i < 3; i++) byteRange.push(PDFName.of(DEFAULT_BYTE_RANGE_PLACEHOLDER));
  const signature = context.obj({
    Type: "Sig",
    Filter: "Adobe.PPKLite",
    SubFilter: SUBFILTER_ETSI_CADES_DETACHED,
    ByteRange: byteRange,
    Contents: PDFHexString.of("00".repeat(SIGNATURE_BYTES)),
    Reason: PDFString.of(options.reason),
    M: PDFString.fromDate(options.signingTime),
    Name: PDFString.of("Escra"),
    Prop_Build: { Filter: { Name: "Adobe.PPKLite" }, App: { Name: "Escra" } },
  });
  // Kept out of object streams (signpdf finds the placeholders in the file's bytes).
  const bytes = new Uint8Array(signature.sizeInBytes());
  signature.copyBytesInto(bytes, 0);
  const signatureRef = context.register(PDFInvalidObject.of(bytes));
  const rect = [0, 0, 0, 0];
  const appearance = context.formXObject([], { BBox: rect, Resources: {} });
  const widget = context.register(
    context.obj({
      Type: "Annot",
      Subtype: "Widget",
      FT: "Sig",
      Rect: rect,
      V: signatureRef,
      T: PDFString.of("Escra seal"),
      F: 4, // Print
      P: page.ref,
      AP: { N: context.register(appearance) },
    }),
  );
  const annots = page.node.lookupMaybe(PDFName.of("Annots"), PDFArray) ?? context.obj([]);
  annots.push(widget);
  page.node.set(PDFName.of("Annots"), annots);
  let form = doc.catalog.lookupMaybe(PDFName.of("AcroForm"), PDFDict);
  if (!form) {
    form = context.obj({ Fields: [] });
    doc.catalog.set(PDFName.of("AcroForm"), context.register(form));
  }
  form.set(PDFName.of("SigFlags"), PDFNumber.of(3));
  const fields = form.lookupMaybe(PDFName.of("Fields"), PDFArray) ?? context.obj([]);
  fields.push(widget);
  form.set(PDFName.of("Fields"), fields);
}
