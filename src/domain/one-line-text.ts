// What "one line of text" means for a name or title that becomes email subjects and headers, PDF headings and
// notification titles: no line breaks or other control characters (C0, DEL, C1, U+2028/U+2029), and no bidirectional
// embedding, override or isolate controls (U+202A–U+202E, U+2066–U+2069), which make a shown name read as something
// it is not ("Trojan Source", CVE-2021-42574; Unicode TR #36 §2.1). Directional marks (U+200E/200F, U+061C) stay:
// right-to-left names need them, and they cannot reorder text.

/** Characters that break a line or control a terminal. */
export const LINE_BREAKING = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
/** Bidirectional embeddings, overrides and isolates (UAX #9 §2.1–2.4). */
export const BIDI_CONTROLS = /[\u202a-\u202e\u2066-\u2069]/;

/**
 * Why `text` is not one line, as a message for the field, or null when it is.
 * @example oneLineProblem("Ann\u202Efdp.exe") // "must not contain bidirectional override or isolate characters"
 */
export function oneLineProblem(text: string): string | null {
  if (LINE_BREAKING.test(text)) return "must be one line without control characters";
  if (BIDI_CONTROLS.test(text)) return "must not contain bidirectional override or isolate characters";
  return null;
}

/** zod check: `z.string().superRefine(oneLine)` refuses (VAL001, at the field's path) text that is not one line. */
export function oneLine(value: string, ctx: { addIssue(issue: { code: "custom"; message: string }): void }) {
  const problem = oneLineProblem(value);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
}

/**
 * zod check for text that may hold line breaks (a team name is flattened where it is shown) but no bidirectional
 * controls, which no flattening undoes.
 */
export function noBidiControls(value: string, ctx: { addIssue(issue: { code: "custom"; message: string }): void }) {
  if (BIDI_CONTROLS.test(value))
    ctx.addIssue({ code: "custom", message: "must not contain bidirectional override or isolate characters" });
}
