// Correlation id (issue 16.4): the request id of the request that caused the work travels through the contract's
// Durable Object, the EVENTS queue, the webhook job and the partner delivery, and names every log line on the way.
import { afterEach, describe, expect, it, vi } from "vitest";
import { call } from "../helpers/http";
import { createUser } from "../helpers/users";
import { receiverBox } from "../helpers/webhook-receiver";
import { CORRELATION_HEADER } from "../../src/lib/correlation";

afterEach(() => vi.restoreAllMocks());

async function poll<T>(read: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("correlation id", () => {
  it("a webhook delivery and the queue job's log lines carry the originating request id", async () => {
    const lines: Record<string, unknown>[] = [];
    const spy = vi.spyOn(console, "log");
    spy.mockImplementation((...args: unknown[]) => {
      try {
        lines.push(JSON.parse(String(args[0])) as Record<string, unknown>);
      } catch {
        // not one of our JSON lines
      }
    });
    const owner = await createUser();
    const box = await receiverBox();
    const endpoint = await call("POST", "/api/v1/webhook-endpoints", {
      token: owner.accessToken,
      body: { url: box.url, events: ["contract.created"] },
    });
    expect(endpoint.status).toBe(201);

    const requestId = `corr-${crypto.randomUUID()}`;
    const created = await call("POST", "/api/v1/contracts", {
      token: owner.accessToken,
      headers: { "x-request-id": requestId },
      body: { title: "Correlated", type: "services", body: "Terms." },
    });
    expect(created.status).toBe(201);
    expect(created.headers.get("x-request-id")).toBe(requestId);

    // Request → ContractRoom (correlated RPC) → outbox → EVENTS → fan-out → JOBS webhook.deliver → the partner.
    const [delivery] = await box.waitFor(1);
    expect(delivery!.headers[CORRELATION_HEADER]).toBe(requestId);

    const jobLine = await poll(() =>
      lines.find((l) => l.message === "queue message" && l.kind === "webhook.deliver" && l.correlationId === requestId),
    );
    expect(jobLine).toMatchObject({ level: "info", queue: "escra-jobs" });
    const eventLine = lines.find((l) => l.message === "domain event" && l.type === "contract.created");
    expect(eventLine?.correlationId).toBe(requestId);
    const attemptLine = await poll(() =>
      lines.find((l) => l.message === "webhook delivery attempt" && l.correlationId === requestId),
    );
    expect(attemptLine).toMatchObject({ statusCode: 200, outcome: "succeeded" });
  });
});
