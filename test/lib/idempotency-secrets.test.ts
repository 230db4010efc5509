// Once means once, even through replays (issue 11.5, API.md "Idempotency-Key"): a response that carries a secret is
// never stored; replaying its Idempotency-Key answers 409 RES002 without the secret and does nothing again.
import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { call } from "../helpers/http";
import { createUser, type TestUser } from "../helpers/users";
import { fundEscrow, markContractSigned, openEscrow, parties } from "../escrow/helpers";
import { base32Decode, totp } from "../../src/domain/totp";

/** Each escrow test registers three users (argon2id) and funds through the queue: generous on a loaded machine. */
const ESCROW_TIMEOUT_MS = 90_000;
const CREDENTIALS = { username: "shop-owner", password: "hunter2-replayed-secret" };

function post(who: TestUser, path: string, key: string, body?: unknown) {
  return call("POST", `/api/v1${path}`, {
    token: who.accessToken,
    headers: { "idempotency-key": key },
    ...(body ? { body } : {}),
  });
}

async function keyRow(userId: string, key: string) {
  return env.DB.prepare(
    "SELECT state, response_body, response_headers FROM idempotency_keys WHERE scope = ? AND key = ?",
  )
    .bind(`usr:${userId}`, key)
    .first<{ state: string; response_body: string | null; response_headers: string | null }>();
}

/** The replay is RES002, flagged as a replay, and carries none of the secret; the key row keeps nothing. */
async function expectWithheld(who: TestUser, path: string, key: string, secret: string, body?: unknown) {
  const replay = await post(who, path, key, body);
  expect(replay.status).toBe(409);
  expect(replay.body.error.code).toBe("RES002");
  expect(replay.headers.get("idempotent-replayed")).toBe("true");
  expect(JSON.stringify(replay.body)).not.toContain(secret);
  const row = await keyRow(who.user.id, key);
  expect(row).toMatchObject({ state: "withheld", response_body: null, response_headers: null });
}

describe("a replayed Idempotency-Key never returns a secret again", () => {
  it(
    "credential reveal: the replay is RES002 without the credentials (issue example)",
    async () => {
      const { buyer, seller } = await parties();
      const e = await openEscrow(buyer, seller);
      await fundEscrow(buyer, e.id);
      await markContractSigned(e.id);
      expect(
        (
          await call("POST", `/api/v1/escrows/${e.id}/deliver`, {
            token: seller.accessToken,
            body: { credentials: CREDENTIALS },
          })
        ).status,
      ).toBe(200);

      const first = await post(buyer, `/escrows/${e.id}/reveal`, "reveal-k");
      expect(first.status).toBe(200);
      expect(first.body.data.credentials).toEqual(CREDENTIALS);
      await expectWithheld(buyer, `/escrows/${e.id}/reveal`, "reveal-k", "hunter2");
      // Still RES002 on a third try, and the escrow stays released exactly once.
      expect((await post(buyer, `/escrows/${e.id}/reveal`, "reveal-k")).body.error.code).toBe("RES002");
      const audit = await call("GET", `/api/v1/escrows/${e.id}/events`, { token: buyer.accessToken });
      const releases = (audit.body.data as { type: string }[]).filter(
        (ev) => ev.type === "escrow.credentials_released",
      );
      expect(releases).toHaveLength(1);
    },
    ESCROW_TIMEOUT_MS,
  );

  it(
    "two concurrent reveals with one key: one gets the credentials, the other RES002 without them",
    async () => {
      const { buyer, seller } = await parties();
      const e = await openEscrow(buyer, seller);
      await fundEscrow(buyer, e.id);
      await markContractSigned(e.id);
      await call("POST", `/api/v1/escrows/${e.id}/deliver`, {
        token: seller.accessToken,
        body: { credentials: CREDENTIALS },
      });
      const both = await Promise.all([
        post(buyer, `/escrows/${e.id}/reveal`, "reveal-c"),
        post(buyer, `/escrows/${e.id}/reveal`, "reveal-c"),
      ]);
      expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
      const loser = both.find((r) => r.status === 409)!;
      expect(loser.body.error.code).toBe("RES002");
      expect(JSON.stringify(loser.body)).not.toContain("hunter2");
    },
    ESCROW_TIMEOUT_MS,
  );

  it("API key create and rotate: the secret is shown once", async () => {
    const u = await createUser();
    const created = await post(u, "/api-keys", "key-create", { name: "ci", scopes: ["contracts:read"] });
    expect(created.status).toBe(201);
    const secret = created.body.data.secret as string;
    expect(secret).toMatch(/^esk_/);
    await expectWithheld(u, "/api-keys", "key-create", secret, { name: "ci", scopes: ["contracts:read"] });
    // The replay created no second key.
    const list = await call("GET", "/api/v1/api-keys", { token: u.accessToken });
    expect(list.body.data).toHaveLength(1);

    const rotated = await post(u, `/api-keys/${created.body.data.id}/rotate`, "key-rotate");
    expect(rotated.status).toBe(200);
    await expectWithheld(u, `/api-keys/${created.body.data.id}/rotate`, "key-rotate", rotated.body.data.secret);
    // The replay did not rotate again: the secret from the first rotation still works.
    expect((await call("GET", "/api/v1/contracts", { token: rotated.body.data.secret })).status).toBe(200);
  });

  it("webhook endpoint create and rotate-secret: the whsec_ secret is shown once", async () => {
    const u = await createUser();
    const body = { url: "https://hooks.partner.example/escra", events: ["*"] };
    const created = await post(u, "/webhook-endpoints", "whe-create", body);
    expect(created.status).toBe(201);
    await expectWithheld(u, "/webhook-endpoints", "whe-create", created.body.data.secret, body);
    const list = await call("GET", "/api/v1/webhook-endpoints", { token: u.accessToken });
    expect(list.body.data).toHaveLength(1);

    const rotated = await post(u, `/webhook-endpoints/${created.body.data.id}/rotate-secret`, "whe-rotate");
    expect(rotated.status).toBe(200);
    await expectWithheld(
      u,
      `/webhook-endpoints/${created.body.data.id}/rotate-secret`,
      "whe-rotate",
      rotated.body.data.secret,
    );
  });

  it("MFA enable (secret) and verify (recovery codes): neither is replayed", async () => {
    const u = await createUser();
    const enabled = await post(u, "/auth/mfa/enable", "mfa-enable");
    expect(enabled.status).toBe(200);
    const secret = enabled.body.data.secret as string;
    await expectWithheld(u, "/auth/mfa/enable", "mfa-enable", secret);

    const code = totp(base32Decode(secret), Date.now());
    const verified = await post(u, "/auth/mfa/verify", "mfa-verify", { code });
    expect(verified.status).toBe(200);
    const recoveryCodes = verified.body.data.recoveryCodes as string[];
    expect(recoveryCodes.length).toBeGreaterThan(0);
    await expectWithheld(u, "/auth/mfa/verify", "mfa-verify", recoveryCodes[0]!, { code });
  });

  it("a secret-bearing request that did nothing (404) releases its key as any other", async () => {
    const u = await createUser();
    const missing = await post(u, "/api-keys/key_nope/rotate", "rotate-missing");
    expect(missing.status).toBe(404);
    // 404 released the key: nothing stored, the key can be reused.
    expect(await keyRow(u.user.id, "rotate-missing")).toBeNull();
  });
});
