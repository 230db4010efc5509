// POST /api/v1/dev/events (development only): publish any catalog event to an audience, so live clients and the
// WebSocket bench can exercise the feeds before a real action exists that reaches the people they need.
import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "../lib/router";
import { answers, envelope, jsonBody, openRoute } from "../lib/openapi";
import { ok } from "../lib/respond";
import { ApiError } from "../lib/errors";
import { publishEvent } from "../lib/events";
import { newId } from "../lib/ids";
import { eventSubjectSchema, EVENT_TYPES, validateEventData, type DomainEvent, type EventType } from "../domain/events";
import { deliverToFeedsConsumer } from "../jobs/deliver-to-feeds";
import { devOnly } from "../lib/dev-only";
import { publicRoute } from "../lib/auth";

const body = z.object({
  type: z.enum(EVENT_TYPES as [EventType, ...EventType[]]),
  data: z.record(z.string(), z.unknown()),
  subject: eventSubjectSchema,
  audience: z
    .array(z.string().regex(/^usr_[0-9A-Za-z]{20}$/, "expected a usr_ id"))
    .min(1)
    .max(1000),
  /**
   * `queue` (default): through EVENTS like any domain event, so every consumer sees it.
   * `feeds`: straight to the audience's feeds, to time the live fan-out without the queue's batching delay.
   */
  via: z.enum(["queue", "feeds"]).default("queue"),
});

const route = createRoute({
  method: "post",
  path: "/dev/events",
  ...openRoute("Development", publicRoute(), devOnly),
  summary: "Publish a catalog event to an audience (development only)",
  request: { body: jsonBody(body) },
  responses: answers(202, envelope(z.object({ id: z.string() })), "published", "RES001", "VAL004"),
});

export const devEventRoutes = createRouter().openapi(route, async (c) => {
  const input = c.req.valid("json");
  const checked = validateEventData(input.type, input.data);
  if (!checked.success)
    throw new ApiError("VAL001", "Event data does not match the catalog", { details: checked.issues });
  if (input.via === "feeds") {
    const event: DomainEvent = {
      id: newId("evt"),
      type: input.type,
      data: checked.data,
      actorId: null,
      subject: input.subject,
      audience: input.audience,
      occurredAt: new Date().toISOString(),
    };
    await deliverToFeedsConsumer.consume(event, c.env, { attempts: 1, lastAttempt: false, queue: "dev" });
    return ok(c, { id: event.id }, 202);
  }
  const { id } = await publishEvent(c.env, {
    type: input.type,
    data: checked.data,
    subject: input.subject,
    audience: input.audience,
  });
  return ok(c, { id }, 202);
});
