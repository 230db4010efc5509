// R2 multipart upload rules (pure), checked when each part arrives so a client learns at once which part to resend,
// instead of R2 refusing the whole upload at complete. Source: Cloudflare R2 docs, "Upload objects — multipart"
// and "Limits": parts 5 MiB–5 GiB, all parts but the last the same size, the last no larger, at most 10,000 parts.

export const MIN_PART_BYTES = 5 * 1024 * 1024;
export const MAX_PART_BYTES = 5 * 1024 * 1024 * 1024;
export const MAX_PARTS = 10_000;

export const PART_RULES =
  `Every part but the last must have the same size, at least ${MIN_PART_BYTES} bytes (5 MiB) and at most 5 GiB; ` +
  `the last part may be smaller but not larger; part numbers 1–${MAX_PARTS}.`;

export interface PartSize {
  partNumber: number;
  size: number;
}

export interface PartProblem {
  /** The part the client should resend (or drop). */
  partNumber: number;
  message: string;
}

/**
 * Whether `incoming` may join the parts already stored (replacing a stored part with its number).
 * @param stored parts accepted so far (any order)
 * @param incoming the arriving part; size in bytes
 * @returns null when the set still satisfies R2's rules, else the part at fault and what to do
 */
export function checkIncomingPart(stored: readonly PartSize[], incoming: PartSize): PartProblem | null {
  const n = incoming.partNumber;
  if (!Number.isInteger(n) || n < 1 || n > MAX_PARTS)
    return { partNumber: n, message: `Part numbers run from 1 to ${MAX_PARTS}` };
  if (incoming.size < 1) return { partNumber: n, message: `Part ${n} is empty` };
  if (incoming.size > MAX_PART_BYTES)
    return { partNumber: n, message: `Part ${n} is larger than 5 GiB; use more, smaller parts` };
  const set = [...stored.filter((p) => p.partNumber !== n), incoming].sort((a, b) => a.partNumber - b.partNumber);
  return checkPartSet(set, n);
}

/**
 * Whether a complete, gapless set of parts can be assembled (the check `complete` repeats before asking R2).
 * @param parts sorted by partNumber
 * @param arriving the part being added, if any: problems are explained from its point of view
 */
export function checkPartSet(parts: readonly PartSize[], arriving?: number): PartProblem | null {
  if (parts.length > MAX_PARTS)
    return { partNumber: parts[MAX_PARTS]!.partNumber, message: `At most ${MAX_PARTS} parts` };
  const nonLast = parts.slice(0, -1);
  const last = parts.at(-1);
  if (!last || nonLast.length === 0) return null;
  // The size every non-last part must share: that of the lowest part accepted before this one.
  const reference = nonLast.find((p) => p.partNumber !== arriving) ?? nonLast[0]!;
  const partSize = reference.size;
  for (const p of nonLast) {
    if (p.size >= MIN_PART_BYTES && p.size === partSize) continue;
    if (p.partNumber === arriving || arriving === undefined) {
      const why =
        p.size < MIN_PART_BYTES
          ? `every part but the last must be at least ${MIN_PART_BYTES} bytes (5 MiB)`
          : `every part but the last must be the same size as part ${reference.partNumber} (${partSize} bytes)`;
      return { partNumber: p.partNumber, message: `Part ${p.partNumber} is ${p.size} bytes; ${why}. ${PART_RULES}` };
    }
    return {
      partNumber: arriving,
      message:
        `Part ${arriving} cannot come after part ${p.partNumber} (${p.size} bytes): ` +
        `only the last part may differ from ` +
        `the part size (${partSize >= MIN_PART_BYTES ? partSize : MIN_PART_BYTES} bytes or more). ` +
        `Resend part ${p.partNumber} at the part size, or complete without part ${arriving}. ${PART_RULES}`,
    };
  }
  if (last.size > partSize) {
    return {
      partNumber: last.partNumber,
      message:
        `Part ${last.partNumber} is the last part and ${last.size} bytes, ` +
        `larger than the part size (${partSize} bytes); ` +
        `the last part may not be larger than the others. ${PART_RULES}`,
    };
  }
  return null;
}
