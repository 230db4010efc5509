// POST /api/v1/dev/events: a development-only way to put a catalog event on the personal feeds.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createExecutionContext } from "cloudflare:test";
import worker from "../../src/index";
import { BASE, call } from "../helpers/http";
import { LiveClient } from "../durable-objects/live-client";
import { liveUser } from "../durable-objects/live-users";

const contractEvent = (audience: string[], via?: "queue" | "feeds") => ({
  type: "contract.updated",
  data: { contractId: "ctr_00000000000000000009", status: "draft" },
  subject: { type: "contract", id: "ctr_00000000000000000009" },
  audience,
  ...(via ? { via } : {}),
});

describe("POST /api/v1/dev/events", () => {
  it("delivers straight to the audience's feeds with via=feeds", async () => {
    const user = await liveUser();
    const client = await LiveClient.authed(`/api/v1/live?userId=${user.userId}`, user.accessToken);
    const res = await call("POST", "/api/v1/dev/events", { body: contractEvent([user.userId], "feeds") });
    expect(res.status).toBe(202);
    expect(res.body.data.id).toMatch(/^evt_/);
    expect(await client.next()).toMatchObject({
      type: "contract.updated",
      seq: 1,
      data: { contractId: "ctr_00000000000000000009" },
    });
    await client.close();
  });

  it("publishes through EVENTS by default, reaching the feed via the queue consumer", async () => {
    const user = await liveUser();
    const client = await LiveClient.authed(`/api/v1/live?userId=${user.userId}`, user.accessToken);
    const res = await call("POST", "/api/v1/dev/events", { body: contractEvent([user.userId]) });
    expect(res.status).toBe(202);
    // The queue delivers it to the consumer (in tests at once; deployed, within max_batch_timeout).
    expect(await client.next(10_000)).toMatchObject({ type: "contract.updated", seq: 1 });
    const feed = env.USER_FEED.get(env.USER_FEED.idFromName(user.userId));
    expect(
      (await feed.deliver({ id: res.body.data.id, type: "contract.updated", data: {}, occurredAt: "" })).duplicate,
    ).toBe(true);
    await client.close();
  });

  it("refuses data that does not match the catalog, and unknown types, with VAL001", async () => {
    const user = await liveUser();
    const bad = await call("POST", "/api/v1/dev/events", {
      body: { ...contractEvent([user.userId]), data: { contractId: "nope", status: "draft" } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error?.code).toBe("VAL001");
    const unknown = await call("POST", "/api/v1/dev/events", {
      body: { ...contractEvent([user.userId]), type: "contract.exploded" },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error?.code).toBe("VAL001");
    const noAudience = await call("POST", "/api/v1/dev/events", { body: contractEvent([]) });
    expect(noAudience.status).toBe(400);
  });

  it("does not exist outside development", async () => {
    const user = await liveUser();
    const res = await worker.fetch(
      new Request(`${BASE}/api/v1/dev/events`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(contractEvent([user.userId], "feeds")),
      }),
      { ...env, ENVIRONMENT: "production" },
      createExecutionContext(),
    );
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ success: false, error: { code: "RES001" } });
  });
});
