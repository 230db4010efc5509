// The one Content-Disposition every download sets (RFC 6266 §4.3): the real name as `filename*` in RFC 8187 (ex
// RFC 5987) UTF-8 percent-encoding, plus an ASCII `filename="…"` fallback for clients that ignore `filename*`, so
// `résumé.pdf` arrives as résumé.pdf and never as rÃ©sumÃ©.pdf. Encoding by jshttp's content-disposition.
import { encodeExtended } from "content-disposition";

/** Longest name we put in a header (bytes of the encoded form stay well under header limits). */
const MAX_NAME_CHARS = 200;

/**
 * An ASCII stand-in for a file name: accents dropped (é → e), other non-ASCII and quoting characters replaced by _.
 * @returns printable ASCII, never empty
 */
export function asciiFallback(name: string): string {
  const ascii = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^\x20-\x7e]/g, "_")
    .replace(/["\\%]/g, "_")
    .trim();
  return ascii || "download";
}

/**
 * The header value for a download.
 * @param disposition "attachment" (save) or "inline" (show, e.g. a PDF in the browser)
 * @param filename the name the user gave or sees, any Unicode; control characters and path separators are replaced
 * @example contentDisposition("attachment", "résumé.pdf")
 *   // attachment; filename="resume.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf
 */
export function contentDisposition(disposition: "attachment" | "inline", filename: string): string {
  const name = filename.replace(/[\u0000-\u001f\u007f/\\]/g, "_").slice(0, MAX_NAME_CHARS) || "download";
  return `${disposition}; filename="${asciiFallback(name)}"; filename*=${encodeExtended(name)}`;
}
