// Hostile text stays text (issue 11.8), the pure rules: template lookups see own values only, drawn SVG signatures
// pass only as allow-listed geometry, the webhook URL guard classifies every IPv6 form that reaches a private IPv4.
import { describe, expect, it } from "vitest";
import { renderTemplate } from "../../src/domain/templates";
import { resolvePreferences } from "../../src/domain/notification-preferences";
import { sanitizeSignatureSvg } from "../../src/domain/svg-signature";
import { parseSignatureImage } from "../../src/domain/signing";
import { checkWebhookUrl, isPrivateIpv4, isPrivateIpv6 } from "../../src/domain/url-safety";
import { base64Encode } from "../../src/lib/crypto";

describe("template lookups use own values only", () => {
  it("a variable named `constructor` left empty renders nothing, not Object's function source (issue example)", () => {
    const out = renderTemplate("Party: [{{constructor}}]", [{ name: "constructor" }], {});
    expect(out.body).toBe("Party: []");
    expect(out.body).not.toContain("function");
    expect(out.variables).toEqual({});
  });

  it.each(["toString", "valueOf", "hasOwnProperty", "__proto__", "__defineGetter__", "isPrototypeOf"])(
    "`%s` renders its given value or nothing",
    (name) => {
      expect(renderTemplate(`[{{${name}}}]`, [{ name }], {}).body).toBe("[]");
      const given = JSON.parse(`{"${name}": "v"}`) as Record<string, string>;
      const out = renderTemplate(`[{{${name}}}]`, [{ name }], given);
      expect(out.body).toBe("[v]");
      expect(Object.hasOwn(out.variables, name)).toBe(true);
    },
  );

  it("a given value for an undeclared `constructor` is VAL001, and a declared default still applies", () => {
    expect(() => renderTemplate("x", [], { constructor: "x" } as Record<string, string>)).toThrow();
    expect(renderTemplate("{{constructor}}", [{ name: "constructor", default: "Acme" }], {}).body).toBe("Acme");
  });

  it("notification preferences ignore a stored type that only exists on Object.prototype", () => {
    const map = resolvePreferences(["contract.sent"], [{ eventType: "constructor", channel: "email", enabled: false }]);
    expect(Object.keys(map)).toEqual(["contract.sent"]);
    expect(({} as Record<string, unknown>).email).toBeUndefined();
  });
});

const PEN =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 300 100" width="300" height="100">' +
  '<path d="M10 80 C 40 10, 65 10, 95 80 S 150 150, 180 80" fill="none" stroke="#000" stroke-width="2.5" stroke-linecap="round"/></svg>';

describe("drawn SVG signatures: strict allow-list, re-serialised", () => {
  it("refuses <animate attributeName=href values=javascript:…> (issue example)", () => {
    const svg =
      '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><a><animate attributeName="href" ' +
      'values="javascript:alert(1)"/><text x="20" y="20">Sign</text></a></svg>';
    expect(sanitizeSignatureSvg(svg)).toBeNull();
    expect(
      sanitizeSignatureSvg(
        '<svg xmlns="http://www.w3.org/2000/svg"><path d="M0 0L9 9"><animate attributeName="d" values="M0 0"/></path></svg>',
      ),
    ).toBeNull();
  });

  it.each([
    ['<set attributeName="onmouseover" to="alert(1)"/>', "set"],
    ["<script>alert(1)</script>", "script"],
    ['<foreignObject><div xmlns="http://www.w3.org/1999/xhtml">x</div></foreignObject>', "foreignObject"],
    ["<style>path{fill:url(https://evil.example/)}</style>", "style element"],
    ['<path d="M0 0" style="fill:url(https://evil.example/x)"/>', "style attribute"],
    ['<path d="M0 0" onclick="alert(1)"/>', "event handler"],
    ['<use href="#x"/>', "use"],
    ['<image href="https://evil.example/x.png"/>', "image"],
    ['<path d="M0 0" xlink:href="javascript:alert(1)" xmlns:xlink="http://www.w3.org/1999/xlink"/>', "xlink:href"],
    ['<path d="M0 0" fill="url(#grad)"/>', "paint server reference"],
    ['<path d="javascript:alert(1)"/>', "script in path data"],
    ['<path d="M0 0" transform="url(x)"/>', "non-transform in transform"],
    ["<text>Hello</text>", "text"],
    ['<a href="javascript:alert(1)"><path d="M0 0"/></a>', "link"],
    ['<path d="M0 0" data-x="1"/>', "unknown attribute"],
    ['<path d="M0 0"/>stray text', "stray text"],
  ])("refuses %s (%s)", (inner) => {
    expect(sanitizeSignatureSvg(`<svg xmlns="http://www.w3.org/2000/svg">${inner}</svg>`)).toBeNull();
  });

  it("refuses DTDs and entities, CDATA, a foreign root, a missing namespace, a prefixed root and trailing markup", () => {
    expect(
      sanitizeSignatureSvg(
        '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x "<script>alert(1)</script>">]><svg xmlns="http://www.w3.org/2000/svg">&x;</svg>',
      ),
    ).toBeNull();
    expect(sanitizeSignatureSvg('<svg xmlns="http://www.w3.org/2000/svg"><![CDATA[<script>]]></svg>')).toBeNull();
    expect(
      sanitizeSignatureSvg(
        '<html xmlns="http://www.w3.org/1999/xhtml"><svg xmlns="http://www.w3.org/2000/svg"/></html>',
      ),
    ).toBeNull();
    expect(sanitizeSignatureSvg('<svg><path d="M0 0"/></svg>')).toBeNull();
    expect(sanitizeSignatureSvg('<svg xmlns="http://www.w3.org/2000/svg"/><?php x ?>')).toBeNull();
    expect(sanitizeSignatureSvg('<svg:svg xmlns:svg="http://www.w3.org/2000/svg"/>')).toBeNull();
  });

  it("keeps pen strokes, as a fresh serialisation of only the allowed parts", () => {
    const out = sanitizeSignatureSvg(`<?xml version="1.0" encoding="UTF-8"?>\n<!-- drawn -->\n${PEN}`);
    expect(out).toBe(PEN);
    // A signature pad's output (xlink declared but unused, a background rect) passes without the declaration.
    const pad =
      '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10" width="10" height="10">' +
      '<rect width="100%" height="100%" fill="rgba(0,0,0,0)"/><circle cx="5" cy="5" r="1.2" fill="rgb(0, 0, 0)"/></svg>';
    expect(sanitizeSignatureSvg(pad)).toBe(
      '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" width="10" height="10">' +
        '<rect width="100%" height="100%" fill="rgba(0,0,0,0)"/><circle cx="5" cy="5" r="1.2" fill="rgb(0, 0, 0)"/></svg>',
    );
    expect(sanitizeSignatureSvg('<svg xmlns="http://www.w3.org/2000/svg"><title>A &lt;b&gt;</title></svg>')).toBe(
      '<svg xmlns="http://www.w3.org/2000/svg"><title>A &#60;b&#62;</title></svg>',
    );
  });

  it("parseSignatureImage stores the sanitised bytes, not the input", () => {
    const input = `<?xml version="1.0"?><!-- comment -->${PEN}`;
    const image = parseSignatureImage(
      "drawn",
      `data:image/svg+xml;base64,${base64Encode(new TextEncoder().encode(input))}`,
    );
    expect(image?.type.mime).toBe("image/svg+xml");
    expect(new TextDecoder().decode(image!.bytes)).toBe(PEN);
  });

  it("stays fast on long hostile attribute values (no backtracking blow-up)", () => {
    const long = `<svg xmlns="http://www.w3.org/2000/svg"><polyline points="${"1".repeat(50_000)}x"/></svg>`;
    const started = Date.now();
    expect(sanitizeSignatureSvg(long)).toBeNull();
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe("webhook URL guard: every IPv6 form of a private IPv4, classified by ipaddr.js", () => {
  it.each([
    "https://[::ffff:0:10.0.0.1]/", // RFC 6145 IPv4-translated (issue example)
    "https://[::ffff:0:a00:1]/",
    "https://[::ffff:0:7f00:1]/",
    "https://[2002:a00:1::1]/", // 6to4 of 10.0.0.1 (issue example)
    "https://[2002:7f00:1::]/", // 6to4 of 127.0.0.1
    "https://[2002:a9fe:a9fe::]/", // 6to4 of 169.254.169.254
    "https://[fec0::1]/", // site-local (issue example)
    "https://[64:ff9b::10.0.0.1]/", // NAT64
    "https://[64:ff9b::a9fe:a9fe]/",
    "https://[64:ff9b:1::a00:1]/", // local-use NAT64
    "https://[2001:0:4136:e378:8000:63bf:f5ff:fffe]/", // Teredo: the client's IPv4 is obfuscated inside
    "https://[::127.0.0.1]/", // IPv4-compatible (deprecated)
    "https://[::a00:1]/",
    "https://[::ffff:169.254.169.254]/",
    "https://[::ffff:a9fe:a9fe]/",
    "https://[100::1]/", // discard-only
    "https://[2001:db8::1]/", // documentation
    "https://[ff02::1]/",
    "https://[::]/",
    "https://[fe80::1]/",
    "https://[fd12:3456::1]/",
    "https://192.0.0.8/",
    "https://198.18.0.1/",
    "https://255.255.255.255/",
    "https://0x7f.1/",
    "https://017700000001/",
  ])("refuses %s", (url) => {
    expect(checkWebhookUrl(url, false)).toMatchObject({ ok: false });
  });

  it.each([
    "https://[2606:4700:4700::1111]/",
    "https://[2a00:1450:4001:80b::200e]/",
    "https://1.1.1.1/",
    "https://8.8.4.4/hook",
  ])("accepts the public address %s", (url) => {
    expect(checkWebhookUrl(url, false)).toEqual({ ok: true });
  });

  it("classifies the literal forms directly", () => {
    expect(isPrivateIpv6("::ffff:0:10.0.0.1")).toBe(true);
    expect(isPrivateIpv6("[2002:c0a8:101::1]")).toBe(true);
    expect(isPrivateIpv6("2606:4700::1")).toBe(false);
    expect(isPrivateIpv4("100.64.0.1")).toBe(true);
    expect(isPrivateIpv4("93.184.216.34")).toBe(false);
    expect(isPrivateIpv4("not an ip")).toBe(false);
  });
});
