// Whether a partner's webhook URL may be called (SSRF guard), checked at creation AND before every delivery.
// Limit: Workers have no DNS resolver, so only literal IPs and well-known local names are caught here; a public
// hostname whose DNS points at a private address is not detected (Cloudflare's egress never reaches our own
// private network, which bounds the damage). See README "Partner webhooks".

export interface UrlCheck {
  ok: boolean;
  /** Why the URL is refused (safe to show the caller). */
  reason?: string;
}

const LOCAL_NAMES = /^(localhost|localhost\.localdomain|ip6-localhost|ip6-loopback|broadcasthost|metadata|metadata\.google\.internal)$/i;
const LOCAL_SUFFIXES = /\.(localhost|local|internal|intranet|lan|home\.arpa|localdomain)$/i;

/** IPv4 ranges that are not the public internet: [network, prefix length]. */
const PRIVATE_V4: [string, number][] = [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
];

function v4ToInt(ip: string): number | null {
  const parts = ip.split(".");
  if (parts.length !== 4) return null;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return null;
    n = n * 256 + Number(p);
  }
  return n;
}

export function isPrivateIpv4(ip: string): boolean {
  const n = v4ToInt(ip);
  if (n === null) return false;
  // Division rather than bit masks: JS bitwise operators are signed 32-bit.
  return PRIVATE_V4.some(([base, bits]) => Math.floor(n / 2 ** (32 - bits)) === Math.floor(v4ToInt(base)! / 2 ** (32 - bits)));
}

/** Loopback, unspecified, link-local, unique-local, multicast, and IPv4-mapped/compatible forms of private v4. */
export function isPrivateIpv6(ip: string): boolean {
  const a = ip.toLowerCase().replace(/^\[|\]$/g, "");
  if (a === "::" || a === "::1") return true;
  const mapped = /^::(ffff:)?(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (mapped) return isPrivateIpv4(mapped[2]!);
  // WHATWG URL serialises ::ffff:127.0.0.1 as ::ffff:7f00:1.
  const mappedHex = /^::(ffff:)?([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(a);
  if (mappedHex) {
    const hi = parseInt(mappedHex[2]!, 16);
    const lo = parseInt(mappedHex[3]!, 16);
    return isPrivateIpv4(`${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`);
  }
  const first = parseInt(a.split(":")[0] || "0", 16);
  if ((first & 0xfe00) === 0xfc00) return true; // fc00::/7 unique local
  if ((first & 0xffc0) === 0xfe80) return true; // fe80::/10 link-local
  if ((first & 0xff00) === 0xff00) return true; // ff00::/8 multicast
  if (first === 0x64 && a.startsWith("64:ff9b:")) return true; // NAT64 of anything, incl. private v4
  return false;
}

/**
 * https only, no credentials in the URL, and no private/loopback/link-local host — unless `allowPrivate`
 * (development and tests), which also allows plain http.
 */
export function checkWebhookUrl(raw: string, allowPrivate: boolean): UrlCheck {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: "must be an absolute URL" };
  }
  if (url.protocol !== "https:" && !(allowPrivate && url.protocol === "http:")) {
    return { ok: false, reason: "must use https" };
  }
  if (url.username || url.password) return { ok: false, reason: "must not contain credentials" };
  if (allowPrivate) return { ok: true };
  // URL already normalised numeric forms (http://2130706433/ → 127.0.0.1) and lower-cased the host.
  const host = url.hostname.replace(/\.$/, "");
  if (host.startsWith("[")) {
    return isPrivateIpv6(host) ? { ok: false, reason: "must not point to a private or loopback address" } : { ok: true };
  }
  if (v4ToInt(host) !== null) {
    return isPrivateIpv4(host) ? { ok: false, reason: "must not point to a private or loopback address" } : { ok: true };
  }
  if (LOCAL_NAMES.test(host) || LOCAL_SUFFIXES.test(host) || !host.includes(".")) {
    return { ok: false, reason: "must not point to a local host name" };
  }
  return { ok: true };
}

/** The setting: "true" allows private URLs (development, tests); anything else refuses them. */
export function privateUrlsAllowed(setting: string | undefined): boolean {
  return setting === "true";
}
