// Partner webhooks as API.md shows them: the endpoint (and its create/update bodies) and the delivery, shared by
// the endpoint routes, their services and the delivery log.
import { z } from "@hono/zod-openapi";
import { isoDate } from "../lib/openapi";
import { EVENT_TYPES, FEED_ONLY_EVENT_TYPES } from "../domain/events";

/** Report progress is for the requester's live feed only (API.md), never a partner's webhook. */
const WEBHOOK_EVENT_TYPES = EVENT_TYPES.filter((t) => !FEED_ONLY_EVENT_TYPES.includes(t));

export const eventFilter = z
  .array(z.enum(["*", ...WEBHOOK_EVENT_TYPES] as [string, ...string[]]))
  .min(1)
  .max(WEBHOOK_EVENT_TYPES.length)
  .refine((list) => !list.includes("*") || list.length === 1, '"*" stands alone')
  .refine((list) => new Set(list).size === list.length, "event types must be unique")
  .openapi({ example: ["contract.completed", "contract.signed"], description: 'event types, or ["*"] for all' });

export const urlField = z.string().trim().min(1).max(2000).openapi({ example: "https://partner.example.com/escra" });

export const endpointSchema = z
  .object({
    id: z.string().openapi({ example: "whe_3kTq9ZyP0aB1cD2eF3gH" }),
    url: z.string(),
    description: z.string().nullable(),
    events: z.array(z.string()),
    status: z.enum(["enabled", "disabled"]),
    disabledReason: z.string().nullable(),
    disabledAt: isoDate.nullable(),
    failingSince: isoDate.nullable(),
    consecutiveFailures: z.number().int(),
    previousSecretExpiresAt: isoDate
      .nullable()
      .openapi({ description: "until then the pre-rotation secret also signs" }),
    createdAt: isoDate,
    updatedAt: isoDate,
  })
  .openapi("WebhookEndpoint");

export const endpointWithSecret = endpointSchema
  .extend({
    secret: z.string().openapi({ example: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", description: "shown only here" }),
  })
  .openapi("WebhookEndpointWithSecret");

export const createEndpointBody = z
  .object({ url: urlField, events: eventFilter, description: z.string().trim().max(500).optional() })
  .openapi("CreateWebhookEndpoint");

export const patchEndpointBody = z
  .object({
    url: urlField.optional(),
    events: eventFilter.optional(),
    description: z.string().trim().max(500).nullable().optional(),
    status: z.enum(["enabled", "disabled"]).optional().openapi({ description: "enabling clears the failure count" }),
  })
  .refine((b) => Object.keys(b).length > 0, "nothing to change")
  .openapi("UpdateWebhookEndpoint");

export type CreateEndpointInput = z.infer<typeof createEndpointBody>;
export type PatchEndpointInput = z.infer<typeof patchEndpointBody>;

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
