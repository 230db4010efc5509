// Detects a file's real type from its first bytes (magic numbers), never from the client's declared type.
// Used for avatars (images only) and, through `sniffFileType`, for contract attachments.

export interface FileType {
  mime: string;
  ext: string;
}

type Signature = { type: FileType; test: (b: Uint8Array) => boolean };

const startsWith = (b: Uint8Array, bytes: readonly number[], offset = 0) =>
  b.length >= offset + bytes.length && bytes.every((v, i) => b[offset + i] === v);
const ascii = (s: string) => [...s].map((ch) => ch.charCodeAt(0));

export const PNG: FileType = { mime: "image/png", ext: "png" };
export const JPEG: FileType = { mime: "image/jpeg", ext: "jpg" };
export const WEBP: FileType = { mime: "image/webp", ext: "webp" };
export const GIF: FileType = { mime: "image/gif", ext: "gif" };
export const PDF: FileType = { mime: "application/pdf", ext: "pdf" };
/** ZIP containers (docx, xlsx, odt are ZIPs too; telling them apart needs the archive's directory). */
export const ZIP: FileType = { mime: "application/zip", ext: "zip" };

const SIGNATURES: Signature[] = [
  { type: PNG, test: (b) => startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) },
  { type: JPEG, test: (b) => startsWith(b, [0xff, 0xd8, 0xff]) },
  // RIFF....WEBP: the 4 bytes between are the chunk size.
  { type: WEBP, test: (b) => startsWith(b, ascii("RIFF")) && startsWith(b, ascii("WEBP"), 8) },
  { type: GIF, test: (b) => startsWith(b, ascii("GIF87a")) || startsWith(b, ascii("GIF89a")) },
  { type: PDF, test: (b) => startsWith(b, ascii("%PDF-")) },
  { type: ZIP, test: (b) => startsWith(b, [0x50, 0x4b, 0x03, 0x04]) },
];

/** Bytes needed to recognise every type above. */
export const SNIFF_BYTES = 16;

/** The detected type, or null when none of the known signatures matches. */
export function sniffFileType(bytes: Uint8Array, allowed?: readonly FileType[]): FileType | null {
  const head = bytes.subarray(0, SNIFF_BYTES);
  const found = SIGNATURES.find((s) => s.test(head))?.type ?? null;
  if (found && allowed && !allowed.some((t) => t.mime === found.mime)) return null;
  return found;
}

/** Image types accepted for avatars. */
export const AVATAR_TYPES: readonly FileType[] = [PNG, JPEG, WEBP];
