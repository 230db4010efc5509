// Whether a partner's webhook URL may be called (SSRF guard), checked at creation AND before every delivery.
// Limit: Workers have no DNS resolver, so only literal IPs and well-known local names are caught here; a public
// hostname whose DNS points at a private address is not detected (Cloudflare's egress never reaches our own
// private network, which bounds the damage). See README "Partner webhooks".
import ipaddr from "ipaddr.js";

export interface UrlCheck {
  ok: boolean;
  /** Why the URL is refused (safe to show the caller). */
  reason?: string;
}

const LOCAL_NAMES =
  /^(localhost|localhost\.localdomain|ip6-localhost|ip6-loopback|broadcasthost|metadata|metadata\.google\.internal)$/i;
const LOCAL_SUFFIXES = /\.(localhost|local|internal|intranet|lan|home\.arpa|localdomain)$/i;

/** Global unicast IPv6 (2000::/3): everything outside it — loopback, mapped and compatible IPv4 — is not public. */
const GLOBAL_UNICAST_V6 = ipaddr.IPv6.parseCIDR("2000::/3");

/**
 * Whether an address literal is anything but a public unicast address, classified by ipaddr.js's registry of
 * special ranges (RFC 6890 and successors) rather than our own list. An allow-list: only `unicast` passes, so a
 * range we did not think of is refused. Text that is not an IP address is not private (the caller checks names).
 */
function isNonPublic(literal: string): boolean {
  const text = literal.replace(/^\[|\]$/g, "");
  if (!ipaddr.isValid(text)) return false;
  const address = ipaddr.parse(text);
  if (address.kind() === "ipv4") return address.range() !== "unicast";
  const v6 = address as ipaddr.IPv6;
  // Forms that embed an IPv4 address (::ffff:a.b.c.d, ::ffff:0:a.b.c.d, 6to4 2002::/16, NAT64 64:ff9b::/96, Teredo
  // 2001::/32), site-local fec0::/10, unique-local, link-local and the rest are all outside plain global unicast.
  return !(v6.match(GLOBAL_UNICAST_V6) && v6.range() === "unicast");
}

/** Private, loopback, link-local, shared, reserved, multicast, broadcast… anything but public unicast IPv4. */
export function isPrivateIpv4(ip: string): boolean {
  return ipaddr.IPv4.isValidFourPartDecimal(ip) && isNonPublic(ip);
}

/**
 * Any IPv6 address outside public global unicast: loopback, unspecified, link-local, unique-local, site-local,
 * multicast, and every form that embeds or translates an IPv4 address (mapped, compatible, 6to4, NAT64, Teredo).
 * Accepts the bracketed form of a URL host.
 */
export function isPrivateIpv6(ip: string): boolean {
  const text = ip.replace(/^\[|\]$/g, "");
  return ipaddr.IPv6.isValid(text) && isNonPublic(text);
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
    return isPrivateIpv6(host)
      ? { ok: false, reason: "must not point to a private or loopback address" }
      : { ok: true };
  }
  if (ipaddr.IPv4.isValidFourPartDecimal(host)) {
    return isPrivateIpv4(host)
      ? { ok: false, reason: "must not point to a private or loopback address" }
      : { ok: true };
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
