// Pure webhook rules: URL safety, retry schedule and Retry-After, filters and visibility, Standard Webhooks signing.
import { describe, expect, it } from "vitest";
import { Webhook } from "standardwebhooks";
import { checkWebhookUrl, isPrivateIpv4, isPrivateIpv6 } from "../../src/domain/url-safety";
import {
  matchesFilter,
  MAX_ATTEMPTS,
  outcomeOf,
  ownerMaySee,
  parseRetryAfter,
  shouldDisable,
  snippet,
} from "../../src/domain/webhook-policy";
import { generateWebhookSecret, signatureHeader, webhookHeaders } from "../../src/domain/webhook-signature";

describe("checkWebhookUrl", () => {
  it.each([
    "https://127.0.0.1/",
    "https://127.1.2.3:8443/x",
    "https://0x7f000001/",
    "https://10.0.0.1/",
    "https://172.16.5.4/",
    "https://172.31.255.255/",
    "https://192.168.1.1/",
    "https://169.254.169.254/",
    "https://100.64.0.1/",
    "https://0.0.0.0/",
    "https://[::1]/",
    "https://[fd00::1]/",
    "https://[fe80::1]/",
    "https://[::ffff:10.0.0.1]/",
    "https://localhost/",
    "https://api.localhost/",
    "https://printer.local/",
    "https://metadata.google.internal/",
    "https://intranet/",
  ])("refuses %s in production", (url) => {
    expect(checkWebhookUrl(url, false).ok).toBe(false);
  });

  it.each([
    "https://partner.example.com/hooks",
    "https://172.32.0.1/",
    "https://8.8.8.8/",
    "https://[2001:4860::8888]/",
  ])("accepts %s", (url) => {
    expect(checkWebhookUrl(url, false)).toEqual({ ok: true });
  });

  it("needs https unless private URLs are allowed, and never takes credentials or other schemes", () => {
    expect(checkWebhookUrl("http://partner.example.com/", false)).toMatchObject({
      ok: false,
      reason: "must use https",
    });
    expect(checkWebhookUrl("http://127.0.0.1:8547/x", true)).toEqual({ ok: true });
    expect(checkWebhookUrl("ftp://partner.example.com/", true).ok).toBe(false);
    expect(checkWebhookUrl("https://user:pw@partner.example.com/", true).ok).toBe(false);
    expect(checkWebhookUrl("not a url", true).ok).toBe(false);
  });

  it("classifies address ranges at their edges", () => {
    expect(isPrivateIpv4("172.15.255.255")).toBe(false);
    expect(isPrivateIpv4("172.16.0.0")).toBe(true);
    expect(isPrivateIpv4("11.0.0.1")).toBe(false);
    expect(isPrivateIpv4("255.255.255.255")).toBe(true);
    expect(isPrivateIpv6("[::ffff:7f00:1]")).toBe(true);
    expect(isPrivateIpv6("2606:4700::1")).toBe(false);
  });
});

describe("delivery policy", () => {
  it("follows 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h, then gives up", () => {
    const delays = [];
    for (let attempt = 1; attempt < MAX_ATTEMPTS; attempt++) {
      const o = outcomeOf(attempt, 500, null);
      expect(o.kind).toBe("retry");
      if (o.kind === "retry") delays.push(o.delaySeconds);
    }
    expect(delays).toEqual([5, 300, 1800, 7200, 18000, 36000, 36000]);
    expect(outcomeOf(MAX_ATTEMPTS, 500, null)).toEqual({ kind: "exhausted" });
    expect(outcomeOf(1, null, null).kind).toBe("retry");
  });

  it("succeeds on 2xx, stops on 410, honours Retry-After on 429/503 only, capped at 12 h", () => {
    expect(outcomeOf(1, 204, null)).toEqual({ kind: "succeeded" });
    expect(outcomeOf(1, 410, null)).toEqual({ kind: "gone" });
    expect(outcomeOf(1, 429, 120)).toEqual({ kind: "retry", delaySeconds: 120 });
    expect(outcomeOf(1, 503, 999_999)).toEqual({ kind: "retry", delaySeconds: 43_200 });
    expect(outcomeOf(3, 429, 1)).toEqual({ kind: "retry", delaySeconds: 1800 });
    expect(outcomeOf(1, 500, 120)).toEqual({ kind: "retry", delaySeconds: 5 });
  });

  it("reads Retry-After as seconds or an HTTP date", () => {
    const now = new Date("2026-11-22T12:00:00Z");
    expect(parseRetryAfter("30", now)).toBe(30);
    expect(parseRetryAfter("Sun, 22 Nov 2026 12:01:00 GMT", now)).toBe(60);
    expect(parseRetryAfter("soon", now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
  });

  it("disables after 5 days of failures", () => {
    const now = new Date("2026-11-22T12:00:00Z");
    expect(shouldDisable(null, now)).toBe(false);
    expect(shouldDisable("2026-11-18T12:00:00Z", now)).toBe(false);
    expect(shouldDisable("2026-11-17T12:00:00Z", now)).toBe(true);
  });

  it("matches filters and lets only the audience or admins see an event", () => {
    expect(matchesFilter(["*"], "escrow.funded")).toBe(true);
    expect(matchesFilter(["contract.sent"], "contract.signed")).toBe(false);
    expect(ownerMaySee({ id: "usr_a", role: "user" }, ["usr_a"])).toBe(true);
    expect(ownerMaySee({ id: "usr_a", role: "user" }, ["usr_b"])).toBe(false);
    expect(ownerMaySee({ id: "usr_a", role: "admin" }, [])).toBe(true);
  });

  it("keeps at most 1 KB of a response without splitting a character", () => {
    const s = snippet("é".repeat(1000));
    expect(new TextEncoder().encode(s).length).toBeLessThanOrEqual(1024);
    expect(s).toBe("é".repeat(512));
    expect(snippet("short")).toBe("short");
  });
});

describe("Standard Webhooks signing", () => {
  it("produces headers the standardwebhooks package verifies, with either secret during a rotation", () => {
    const [oldSecret, newSecret] = [generateWebhookSecret(), generateWebhookSecret()];
    const body = JSON.stringify({
      type: "webhook.test",
      timestamp: new Date().toISOString(),
      data: { endpointId: "whe_x" },
    });
    const headers = webhookHeaders([newSecret, oldSecret], "msg_abc", new Date(), body);
    expect(headers["webhook-signature"]!.split(" ")).toHaveLength(2);
    expect(new Webhook(newSecret).verify(body, headers)).toMatchObject({ type: "webhook.test" });
    expect(new Webhook(oldSecret).verify(body, headers)).toMatchObject({ type: "webhook.test" });
    expect(() => new Webhook(generateWebhookSecret()).verify(body, headers)).toThrow();
    expect(() => new Webhook(newSecret).verify(body + " ", headers)).toThrow();
  });

  it("matches the package's own signature byte for byte", () => {
    const secret = generateWebhookSecret();
    const at = new Date("2026-11-22T12:00:00Z");
    expect(signatureHeader([secret], "msg_1", Math.floor(at.getTime() / 1000), "{}")).toBe(
      new Webhook(secret).sign("msg_1", at, "{}"),
    );
  });
});
