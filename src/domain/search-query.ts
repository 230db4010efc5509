// Turns what a person types into a safe FTS5 MATCH expression: words only (no FTS syntax injection), every word
// required, the last one as a prefix so results appear while typing.

/** null when the text holds no searchable word (the caller then matches nothing). */
export function ftsQuery(text: string): string | null {
  const words = (text.normalize("NFKC").match(/[\p{L}\p{N}]+/gu) ?? []).slice(0, 12);
  if (words.length === 0) return null;
  return words.map((w, i) => `"${w}"${i === words.length - 1 ? "*" : ""}`).join(" ");
}
