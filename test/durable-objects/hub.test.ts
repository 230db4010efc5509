// The live hub, exercised through UserFeed's object: auth, closes, ping, sequenced events, resume,
// hibernation, the per-user socket limit and the auth deadline (driven by the object's alarm).
import { env } from "cloudflare:workers";
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { LiveClient } from "./live-client";
import { anotherSession, liveUser, logout } from "./live-users";
import type { UserFeed } from "../../durable-objects/user-feed";
import type { LiveHub } from "../../durable-objects/lib/hub";
import { LIVE_LIMITS } from "../../durable-objects/lib/hub-protocol";

const feedOf = (userId: string) => env.USER_FEED.get(env.USER_FEED.idFromName(userId));
const open = (feed: DurableObjectStub<UserFeed>) => LiveClient.open("/live", feed);
const authed = (feed: DurableObjectStub<UserFeed>, token: string) => LiveClient.authed("/live", token, feed);
// The feed's hub, to drive its alarm with a clock five minutes ahead.
const hubOf = (instance: UserFeed) => (instance as unknown as { hub: LiveHub }).hub;

let n = 0;
const event = (type = "contract.signed", data: Record<string, unknown> = {}) => ({
  id: `evt_test${String(++n).padStart(16, "0")}`,
  type,
  data: { contractId: "ctr_00000000000000000001", status: "pending", ...data },
  occurredAt: new Date().toISOString(),
});

describe("authentication", () => {
  it("answers a valid first auth message with the user id and permissions", async () => {
    const user = await liveUser();
    const client = await open(feedOf(user.userId));
    client.send({ type: "auth", payload: { token: user.accessToken } });
    expect(await client.next()).toEqual({
      type: "auth:success",
      payload: { userId: user.userId, permissions: ["read"] },
    });
    await client.close();
  });

  it("closes with 4001 for a token that does not verify", async () => {
    const user = await liveUser();
    const client = await open(feedOf(user.userId));
    client.send({ type: "auth", payload: { token: `${user.accessToken.slice(0, -4)}AAAA` } });
    expect((await client.closed).code).toBe(4001);
  });

  it("closes with 4001 for a token whose session was logged out", async () => {
    const user = await liveUser();
    await logout(user);
    const client = await open(feedOf(user.userId));
    client.send({ type: "auth", payload: { token: user.accessToken } });
    expect((await client.closed).code).toBe(4001);
  });

  it("closes with 4001 when the first message is not auth", async () => {
    const user = await liveUser();
    const client = await open(feedOf(user.userId));
    client.send({ type: "ping", timestamp: 1 });
    expect(await client.closed).toEqual({ code: 4001, reason: "the first message must be auth" });
  });

  it("closes with 4003 for someone who may not see the room", async () => {
    const owner = await liveUser();
    const intruder = await liveUser();
    const client = await open(feedOf(owner.userId));
    client.send({ type: "auth", payload: { token: intruder.accessToken } });
    expect((await client.closed).code).toBe(4003);
  });

  it("closes with 1011 when the room fails while authorising (here: a feed not addressed by user id)", async () => {
    const user = await liveUser();
    const unnamed = env.USER_FEED.get(env.USER_FEED.newUniqueId());
    const client = await open(unnamed);
    client.send({ type: "auth", payload: { token: user.accessToken } });
    expect(await client.closed).toEqual({ code: 1011, reason: "internal error" });
  });

  it("handles a resume sent right behind auth, in order", async () => {
    const user = await liveUser();
    const feed = feedOf(user.userId);
    await feed.deliver(event());
    const client = await open(feed);
    client.send({ type: "auth", payload: { token: user.accessToken } });
    client.send({ type: "resume", payload: { since: 0 } });
    const got = await client.until("resume:done");
    expect(got.map((m) => m.type)).toEqual(["auth:success", "contract.signed", "resume:done"]);
    await client.close();
  });
});

describe("auth deadline (the object's alarm)", () => {
  it("arms the alarm for 10 s, survives an early alarm, and closes with 4001 once the deadline passes", async () => {
    const user = await liveUser();
    const feed = feedOf(user.userId);
    const connectedAt = Date.now();
    const client = await open(feed);
    const alarmAt = await runInDurableObject(feed, (_, state) => state.storage.getAlarm());
    expect(alarmAt).toBeGreaterThanOrEqual(connectedAt + 9_000);
    expect(alarmAt).toBeLessThanOrEqual(Date.now() + 10_000);

    // Another user of the alarm (or a retry) may wake the object early: the pending socket must survive it.
    expect(await runDurableObjectAlarm(feed)).toBe(true);
    expect(client.ws.readyState).toBe(WebSocket.OPEN);
    expect(await runInDurableObject(feed, (_, state) => state.storage.getAlarm())).toBe(alarmAt);

    // Past the deadline the alarm closes it; we drive the alarm rather than rely on its timing.
    await new Promise((r) => setTimeout(r, Math.max(0, alarmAt! - Date.now() + 50)));
    await runDurableObjectAlarm(feed);
    expect(await client.closed).toEqual({ code: 4001, reason: "authentication timed out" });
  }, 20_000);

  it("still closes an overdue socket when another alarm user cleared the alarm (on the next connection)", async () => {
    const user = await liveUser();
    const feed = feedOf(user.userId);
    const stale = await open(feed);
    const alarmAt = await runInDurableObject(feed, async (_, state) => {
      const at = await state.storage.getAlarm();
      await state.storage.deleteAlarm();
      return at;
    });
    await new Promise((r) => setTimeout(r, Math.max(0, alarmAt! - Date.now() + 50)));
    const fresh = await open(feed);
    expect(await stale.closed).toEqual({ code: 4001, reason: "authentication timed out" });
    fresh.send({ type: "auth", payload: { token: user.accessToken } });
    expect((await fresh.next()).type).toBe("auth:success");
    await fresh.close();
  }, 20_000);

  it("does not close an authenticated socket at the deadline", async () => {
    const user = await liveUser();
    const feed = feedOf(user.userId);
    const before = Date.now();
    const client = await authed(feed, user.accessToken);
    // What is due next is the session re-check, five minutes on, not an auth deadline.
    const next = await runInDurableObject(feed, (instance) => hubOf(instance).nextAlarm());
    expect(next).toBeGreaterThanOrEqual(before + LIVE_LIMITS.recheckMs);
    // The alarm may still sit at the auth deadline (10 s); it must come no later than the re-check.
    expect(await runInDurableObject(feed, (_, state) => state.storage.getAlarm())).toBeLessThanOrEqual(next!);
    await runDurableObjectAlarm(feed);
    expect(await runInDurableObject(feed, (_, state) => state.storage.getAlarm())).toBe(next);
    client.send({ type: "ping", timestamp: 7 });
    expect(await client.next()).toEqual({ type: "pong", timestamp: 7 });
    await client.close();
  });
});

describe("session re-check (the object's alarm, every 5 minutes)", () => {
  it("closes the sockets of a session that ended with 4001 and keeps the others, checked again later", async () => {
    const user = await liveUser();
    const feed = feedOf(user.userId);
    const stays = await authed(feed, user.accessToken);
    const otherDevice = await anotherSession(user);
    const loggedOut = await authed(feed, otherDevice.accessToken);
    await logout(otherDevice);

    await runInDurableObject(feed, (instance) => hubOf(instance).alarm(Date.now() + LIVE_LIMITS.recheckMs + 1));
    expect(await loggedOut.closed).toEqual({ code: 4001, reason: "session ended" });
    stays.send({ type: "ping", timestamp: 1 });
    expect(await stays.next()).toEqual({ type: "pong", timestamp: 1 });
    const next = await runInDurableObject(feed, (instance) => hubOf(instance).nextAlarm());
    expect(next).toBeGreaterThan(Date.now() + LIVE_LIMITS.recheckMs);
    await stays.close();
  });
});

describe("messages", () => {
  it("answers ping with pong echoing the timestamp", async () => {
    const user = await liveUser();
    const client = await authed(feedOf(user.userId), user.accessToken);
    client.send({ type: "ping", timestamp: 1_763_800_000_000 });
    expect(await client.next()).toEqual({ type: "pong", timestamp: 1_763_800_000_000 });
    await client.close();
  });

  it("answers a malformed message with an error and keeps the socket open", async () => {
    const user = await liveUser();
    const client = await authed(feedOf(user.userId), user.accessToken);
    client.send("{not json");
    expect(await client.next()).toMatchObject({ type: "error", payload: { code: "VAL001" } });
    client.send({ type: "resume", payload: { since: -1 } });
    expect(await client.next()).toMatchObject({ type: "error", payload: { code: "VAL001" } });
    client.send({ type: "ping" });
    expect(await client.next()).toEqual({ type: "pong", timestamp: null });
    await client.close();
  });

  it("echoes the client's close", async () => {
    const user = await liveUser();
    const client = await authed(feedOf(user.userId), user.accessToken);
    expect(await client.close(1000, "done")).toEqual({ code: 1000, reason: "done" });
  });

  it("echoes a close without a status code with 1000", async () => {
    const user = await liveUser();
    const client = await authed(feedOf(user.userId), user.accessToken);
    client.ws.close();
    expect((await client.closed).code).toBe(1000);
  });
});

describe("events", () => {
  it("broadcasts each event once with a gapless sequence, and nothing to unauthenticated sockets", async () => {
    const user = await liveUser();
    const feed = feedOf(user.userId);
    const a = await authed(feed, user.accessToken);
    const b = await authed(feed, user.accessToken);
    const pending = await open(feed);

    const sent = [event("contract.sent"), event("contract.signed"), event("contract.activated")];
    for (const e of sent) await feed.deliver(e);
    expect(await feed.deliver(sent[1]!)).toEqual({ seq: 2, duplicate: true });

    for (const client of [a, b]) {
      const got = [await client.next(), await client.next(), await client.next()];
      expect(got.map((m) => [m.type, m.seq])).toEqual([
        ["contract.sent", 1],
        ["contract.signed", 2],
        ["contract.activated", 3],
      ]);
      expect(got[0]).toEqual({ type: "contract.sent", seq: 1, timestamp: sent[0]!.occurredAt, data: sent[0]!.data });
    }
    // The duplicate was not sent again.
    a.send({ type: "ping", timestamp: 1 });
    expect(await a.next()).toEqual({ type: "pong", timestamp: 1 });

    // The socket that never authenticated got nothing: its first message is its auth answer.
    pending.send({ type: "auth", payload: { token: user.accessToken } });
    expect((await pending.next()).type).toBe("auth:success");
    expect(pending.drain()).toEqual([]);
    await Promise.all([a.close(), b.close(), pending.close()]);
  });

  it("resumes after a disconnect with exactly the missed events, in order", async () => {
    const user = await liveUser();
    const feed = feedOf(user.userId);
    const first = await authed(feed, user.accessToken);
    await feed.deliver(event("contract.sent"));
    const seen = await first.next();
    expect(seen.seq).toBe(1);
    await first.close();

    const missed = [event("contract.approved"), event("contract.signed"), event("contract.activated")];
    for (const e of missed) await feed.deliver(e);

    const again = await authed(feed, user.accessToken);
    again.send({ type: "resume", payload: { since: seen.seq } });
    const replay = await again.until("resume:done");
    expect(replay.map((m) => [m.type, m.seq ?? null])).toEqual([
      ["contract.approved", 2],
      ["contract.signed", 3],
      ["contract.activated", 4],
      ["resume:done", null],
    ]);
    expect(replay.at(-1)).toEqual({ type: "resume:done", payload: { since: 1, latestSeq: 4, replayed: 3 } });

    // Live events continue after the replay.
    await feed.deliver(event("contract.completed"));
    expect(await again.next()).toMatchObject({ type: "contract.completed", seq: 5 });
    await again.close();
  });

  it("holds the last 1,000 events and says so when a resume reaches further back", async () => {
    const user = await liveUser();
    const feed = feedOf(user.userId);
    await runInDurableObject(feed, async (instance) => {
      for (let i = 0; i < 1_005; i++) await instance.deliver(event("contract.updated", { i }));
    });
    const client = await authed(feed, user.accessToken);
    client.send({ type: "resume", payload: { since: 2 } });
    const gap = await client.next();
    expect(gap).toEqual({ type: "resume:gap", payload: { since: 2, oldestSeq: 6, latestSeq: 1_005 } });
    const replay = await client.until("resume:done");
    expect(replay).toHaveLength(1_001);
    expect(replay.slice(0, -1).map((m) => m.seq)).toEqual(Array.from({ length: 1_000 }, (_, i) => i + 6));
    expect(replay.at(-1)!.payload).toEqual({ since: 2, latestSeq: 1_005, replayed: 1_000 });

    // Resuming from within the held window replays without a gap notice.
    client.send({ type: "resume", payload: { since: 1_003 } });
    expect((await client.until("resume:done")).map((m) => m.type)).toEqual([
      "contract.updated",
      "contract.updated",
      "resume:done",
    ]);
    await client.close();
  });

  it("keeps serving sockets after the object hibernates (sessions rebuilt from attachments)", async () => {
    const user = await liveUser();
    const feed = feedOf(user.userId);
    const client = await authed(feed, user.accessToken);
    const late = await open(feed);
    await feed.deliver(event("escrow.funded", { escrowId: "esc_00000000000000000001", status: "funds_held" }));
    expect((await client.next()).seq).toBe(1);

    await evictDurableObject(feed);

    // A socket accepted before the eviction authenticates after it (its pending state came from its attachment).
    late.send({ type: "auth", payload: { token: user.accessToken } });
    expect(await late.next()).toEqual({
      type: "auth:success",
      payload: { userId: user.userId, permissions: ["read"] },
    });

    await feed.deliver(event("escrow.delivered", { escrowId: "esc_00000000000000000001", status: "funds_held" }));
    expect(await client.next()).toMatchObject({ type: "escrow.delivered", seq: 2 });
    client.send({ type: "ping", timestamp: "after-eviction" });
    expect(await client.next()).toEqual({ type: "pong", timestamp: "after-eviction" });
    client.send({ type: "resume", payload: { since: 0 } });
    expect((await client.until("resume:done")).map((m) => m.seq ?? m.type)).toEqual([1, 2, "resume:done"]);
    expect(await late.next()).toMatchObject({ type: "escrow.delivered", seq: 2 });
    await Promise.all([client.close(), late.close()]);
  });
});

describe("socket limit", () => {
  it("closes a user's 6th socket in a room with 4008; the other 5 keep receiving", async () => {
    const user = await liveUser();
    const feed = feedOf(user.userId);
    const five = await Promise.all(Array.from({ length: 5 }, () => authed(feed, user.accessToken)));
    const sixth = await open(feed);
    sixth.send({ type: "auth", payload: { token: user.accessToken } });
    expect(await sixth.closed).toEqual({ code: 4008, reason: "too many connections" });

    await feed.deliver(event());
    for (const client of five) expect((await client.next()).seq).toBe(1);

    // A freed place can be taken again.
    await five[0]!.close();
    const replacement = await authed(feed, user.accessToken);
    await Promise.all([...five.slice(1), replacement].map((c) => c.close()));
  });
});
