// GET /api/v1/live: the personal feed through the Worker — upgrade validation, routing by userId or by
// Authorization header, and domain events reaching the feed through the EVENTS consumer.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, fetchWorker } from "../helpers/http";
import { LiveClient } from "../durable-objects/live-client";
import { liveUser } from "../durable-objects/live-users";
import { deliver } from "../jobs/queue-harness";
import { buildEventMessage } from "../../src/lib/events";
import { QUEUE_NAMES } from "../../src/lib/queue-messages";
import { hasConsumed } from "../../src/jobs/consume-event";

const signed = (contractId = "ctr_00000000000000000042") =>
  ({ contractId, status: "pending", signerId: "sig_00000000000000000001" }) as const;

describe("GET /api/v1/live", () => {
  it("opens the caller's feed: auth as the first message, then their events", async () => {
    const user = await liveUser();
    const client = await LiveClient.open(`/api/v1/live?userId=${user.userId}`);
    client.send({ type: "auth", payload: { token: user.accessToken } });
    expect(await client.next()).toEqual({
      type: "auth:success",
      payload: { userId: user.userId, permissions: ["read"] },
    });

    const feed = env.USER_FEED.get(env.USER_FEED.idFromName(user.userId));
    await feed.deliver({
      id: "evt_routeTest000000000001",
      type: "contract.signed",
      data: signed(),
      occurredAt: new Date().toISOString(),
    });
    expect(await client.next()).toMatchObject({ type: "contract.signed", seq: 1, data: signed() });
    await client.close();
  });

  it("routes by the Authorization header when one is sent (no userId needed)", async () => {
    const user = await liveUser();
    const res = await fetchWorker("/api/v1/live", {
      headers: { upgrade: "websocket", authorization: `Bearer ${user.accessToken}` },
    });
    expect(res.status).toBe(101);
    const ws = res.webSocket!;
    ws.accept();
    const first = new Promise<any>((resolve) =>
      ws.addEventListener("message", (e) => resolve(JSON.parse(e.data as string))),
    );
    ws.send(JSON.stringify({ type: "auth", payload: { token: user.accessToken } }));
    expect(await first).toMatchObject({ type: "auth:success", payload: { userId: user.userId } });
    ws.close(1000);
  });

  it("closes with 4003 when the userId names someone else's feed", async () => {
    const owner = await liveUser();
    const other = await liveUser();
    const client = await LiveClient.open(`/api/v1/live?userId=${owner.userId}`);
    client.send({ type: "auth", payload: { token: other.accessToken } });
    expect((await client.closed).code).toBe(4003);
  });

  it("refuses a request that is not a WebSocket upgrade with VAL001", async () => {
    const user = await liveUser();
    const res = await call("GET", `/api/v1/live?userId=${user.userId}`);
    expect(res.status).toBe(400);
    expect(res.body.error?.code).toBe("VAL001");
  });

  it("refuses a missing or malformed userId with VAL001 before upgrading", async () => {
    for (const query of ["", "?userId=nobody", "?userId=ctr_00000000000000000001"]) {
      const res = await call("GET", `/api/v1/live${query}`, { headers: { upgrade: "websocket" } });
      expect(res.status).toBe(400);
      expect(res.body.success).toBe(false);
      expect(res.body.error?.code).toBe("VAL001");
    }
  });

  it("refuses an invalid Authorization header like every route (AUTH002)", async () => {
    const res = await call("GET", "/api/v1/live", { headers: { upgrade: "websocket" }, token: "a.b.c" });
    expect(res.status).toBe(401);
    expect(res.body.error?.code).toBe("AUTH002");
  });

  it("is described in the OpenAPI document", async () => {
    const doc = await call("GET", "/api/v1/openapi.json");
    const op = doc.body.paths?.["/api/v1/live"]?.get ?? doc.body.data?.paths?.["/api/v1/live"]?.get;
    expect(op).toBeDefined();
    expect(op.responses["101"]).toBeDefined();
    expect(op.description).toContain("resume:gap");
  });
});

describe("domain events → personal feeds (EVENTS consumer)", () => {
  it("delivers an event to the feed of every user in its audience, once even when redelivered", async () => {
    const [alice, bob, stranger] = [await liveUser(), await liveUser(), await liveUser()];
    const [a, b, s] = await Promise.all([
      LiveClient.authed(`/api/v1/live?userId=${alice.userId}`, alice.accessToken),
      LiveClient.authed(`/api/v1/live?userId=${bob.userId}`, bob.accessToken),
      LiveClient.authed(`/api/v1/live?userId=${stranger.userId}`, stranger.accessToken),
    ]);

    const message = buildEventMessage({
      type: "contract.signed",
      data: signed("ctr_00000000000000000077"),
      actorId: alice.userId,
      subject: { type: "contract", id: "ctr_00000000000000000077" },
      audience: [alice.userId, bob.userId],
    });
    const first = await deliver(QUEUE_NAMES.events, message);
    expect(first.result.explicitAcks).toEqual([first.messageId]);
    expect(await hasConsumed(env, message.id, "user-feeds")).toBe(true);

    for (const client of [a, b]) {
      expect(await client.next()).toEqual({
        type: "contract.signed",
        seq: 1,
        timestamp: message.payload.occurredAt,
        data: signed("ctr_00000000000000000077"),
      });
    }

    // Redelivered (e.g. another consumer failed, or a dead-letter replay): the feeds add nothing.
    const bobFeed = env.USER_FEED.get(env.USER_FEED.idFromName(bob.userId));
    await env.DB.prepare("DELETE FROM event_consumptions WHERE event_id = ?").bind(message.id).run();
    await deliver(QUEUE_NAMES.events, message, { attempts: 2 });
    expect(await bobFeed.deliver({ id: message.id, type: "contract.signed", data: {}, occurredAt: "" })).toEqual({
      seq: 1,
      duplicate: true,
    });
    for (const client of [a, b, s]) {
      client.send({ type: "ping", timestamp: 1 });
      expect(await client.next()).toEqual({ type: "pong", timestamp: 1 });
    }
    await Promise.all([a.close(), b.close(), s.close()]);
  });
});
