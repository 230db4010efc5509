// Drawn SVG signatures, made safe by construction: the SVG is parsed (xmldom), every element and attribute is
// checked against a strict allow-list of pen-stroke geometry, and what is kept is a fresh serialisation of only
// those — never the caller's bytes. Anything else (scripts, event handlers, links, animation such as
// `<animate attributeName="href" values="javascript:…">`, styles, foreign content, entities) refuses the image.
// Pattern matching on the raw text cannot be made complete; an allow-list over a parsed tree can.
import { DOMParser, type Element, type Node } from "@xmldom/xmldom";

export const SVG_NS = "http://www.w3.org/2000/svg";
const XLINK_NS = "http://www.w3.org/1999/xlink";

const NUMBER = String.raw`[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?`;
/** Lists of numbers (viewBox, points): a character class, so no pattern can backtrack on long input. */
const NUMBERS = /^[\s,0-9eE.+-]*$/;
const LENGTH = new RegExp(String.raw`^\s*${NUMBER}(?:px|pt|pc|mm|cm|in|em|ex|%)?\s*$`);
/** Path data: commands and numbers only (SVG 2 §9.3.9). */
const PATH_DATA = new RegExp(String.raw`^[\sMmLlHhVvCcSsQqTtAaZz0-9eE.,+-]*$`);
const TRANSFORM = new RegExp(
  String.raw`^(?:\s*(?:matrix|translate|scale|rotate|skewX|skewY)\s*\([\s\d.,eE+-]*\)[\s,]*)*$`,
);
/** Colours only: a hex value, a named colour, or rgb()/rgba() — no url(#…) paint servers. */
const PAINT = /^\s*(?:#[0-9a-fA-F]{3,8}|[a-zA-Z]{1,30}|rgba?\(\s*[\d.%\s,]+\))\s*$/;
const UNIT_INTERVAL = new RegExp(String.raw`^\s*${NUMBER}%?\s*$`);

type Check = RegExp | readonly string[];
const presentation: Record<string, Check> = {
  fill: PAINT,
  stroke: PAINT,
  "stroke-width": LENGTH,
  "stroke-linecap": ["butt", "round", "square"],
  "stroke-linejoin": ["miter", "round", "bevel", "arcs", "miter-clip"],
  "stroke-miterlimit": NUMBERS,
  "stroke-opacity": UNIT_INTERVAL,
  "fill-opacity": UNIT_INTERVAL,
  "fill-rule": ["nonzero", "evenodd"],
  opacity: UNIT_INTERVAL,
  transform: TRANSFORM,
};

/** Per element, the attributes it may carry and what their values may look like. */
const ALLOWED: Record<string, Record<string, Check>> = {
  svg: {
    ...presentation,
    width: LENGTH,
    height: LENGTH,
    viewBox: NUMBERS,
    preserveAspectRatio: /^\s*(?:none|x(?:Min|Mid|Max)Y(?:Min|Mid|Max))(?:\s+(?:meet|slice))?\s*$/,
    version: /^\d(?:\.\d)?$/,
  },
  g: presentation,
  path: { ...presentation, d: PATH_DATA },
  polyline: { ...presentation, points: NUMBERS },
  polygon: { ...presentation, points: NUMBERS },
  line: { ...presentation, x1: LENGTH, y1: LENGTH, x2: LENGTH, y2: LENGTH },
  rect: { ...presentation, x: LENGTH, y: LENGTH, width: LENGTH, height: LENGTH, rx: LENGTH, ry: LENGTH },
  circle: { ...presentation, cx: LENGTH, cy: LENGTH, r: LENGTH },
  ellipse: { ...presentation, cx: LENGTH, cy: LENGTH, rx: LENGTH, ry: LENGTH },
  title: {},
  desc: {},
};
const TEXT_ELEMENTS = new Set(["title", "desc"]);
const MAX_DEPTH = 32;

class Refused extends Error {}

/**
 * The safe re-serialisation of a drawn SVG signature, or null when it holds anything outside the allow-list.
 * @param text the SVG document as sent (UTF-8 decoded)
 * @returns a standalone SVG built only from allowed elements and attributes, escaped
 */
export function sanitizeSignatureSvg(text: string): string | null {
  // No DTD at all: entities are the classic way to smuggle markup (and to blow up parsers).
  if (/<!DOCTYPE|<!ENTITY|<!\[CDATA\[/i.test(text)) return null;
  try {
    const doc = new DOMParser({
      onError: () => {
        throw new Refused();
      },
    }).parseFromString(text, "application/xml");
    const root = doc.documentElement;
    if (!root || root.localName !== "svg" || root.namespaceURI !== SVG_NS) return null;
    for (let n = doc.firstChild; n; n = n.nextSibling) {
      if (n === root) continue;
      // Around the root: the XML declaration, comments and whitespace only.
      if (n.nodeType === n.PROCESSING_INSTRUCTION_NODE && n.nodeName === "xml") continue;
      if (n.nodeType === n.COMMENT_NODE) continue;
      if (n.nodeType === n.TEXT_NODE && !n.nodeValue?.trim()) continue;
      return null;
    }
    return serialise(root, 0);
  } catch (err) {
    if (err instanceof Refused) return null;
    // xmldom reports malformed input as ParseError; any failure means "not an acceptable SVG".
    return null;
  }
}

function serialise(el: Element, depth: number): string {
  if (depth > MAX_DEPTH) throw new Refused();
  const name = el.localName ?? "";
  if (el.namespaceURI !== SVG_NS || el.prefix || !Object.hasOwn(ALLOWED, name)) throw new Refused();
  const allowed = ALLOWED[name]!;
  const attrs: string[] = depth === 0 ? [`xmlns="${SVG_NS}"`] : [];
  for (let i = 0; i < el.attributes.length; i++) {
    const attr = el.attributes.item(i)!;
    if (attr.name === "xmlns" && attr.value === SVG_NS) continue;
    // Signature pads declare xlink without using it; the declaration is dropped, any use of it refused below.
    if (depth === 0 && attr.name === "xmlns:xlink" && attr.value === XLINK_NS) continue;
    const plain = !attr.prefix && !attr.namespaceURI;
    const check = plain && Object.hasOwn(allowed, attr.name) ? allowed[attr.name] : undefined;
    if (!check || !passes(check, attr.value)) throw new Refused();
    attrs.push(`${attr.name}="${escapeXml(attr.value)}"`);
  }
  let inner = "";
  for (let n: Node | null = el.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === n.ELEMENT_NODE) inner += serialise(n as Element, depth + 1);
    else if (n.nodeType === n.TEXT_NODE) {
      const value = n.nodeValue ?? "";
      if (TEXT_ELEMENTS.has(name)) inner += escapeXml(value);
      else if (value.trim()) throw new Refused();
    } else if (n.nodeType !== n.COMMENT_NODE) throw new Refused();
  }
  const open = [name, ...attrs].join(" ");
  return inner ? `<${open}>${inner}</${name}>` : `<${open}/>`;
}

function passes(check: Check, value: string): boolean {
  return check instanceof RegExp ? check.test(value) : check.includes(value.trim());
}

function escapeXml(value: string): string {
  return value.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
