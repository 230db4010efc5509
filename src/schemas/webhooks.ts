// The webhook delivery as API.md shows it: shared by the endpoint routes and the delivery log.
import { z } from "@hono/zod-openapi";
import { isoDate } from "../lib/openapi";

export const deliverySchema = z
  .object({
    id: z.string().openapi({ example: "whd_3kTq9ZyP0aB1cD2eF3gH" }),
    endpointId: z.string(),
    eventId: z.string(),
    eventType: z.string(),
    webhookId: z.string().openapi({ description: "the webhook-id header, the same on every attempt" }),
    status: z.enum(["pending", "succeeded", "failed"]),
    attempts: z.number().int(),
    nextAttemptAt: isoDate.nullable(),
    lastAttemptAt: isoDate.nullable(),
    lastStatusCode: z.number().int().nullable(),
    lastLatencyMs: z.number().int().nullable(),
    lastError: z.string().nullable(),
    createdAt: isoDate,
    succeededAt: isoDate.nullable(),
    history: z.array(
      z.object({
        attempt: z.number().int(),
        at: isoDate,
        statusCode: z.number().int().nullable(),
        latencyMs: z.number().int(),
        error: z.string().nullable(),
        responseSnippet: z.string().nullable().openapi({ description: "the first 1 KB of the answer" }),
      }),
    ),
  })
  .openapi("WebhookDelivery");
