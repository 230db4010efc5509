// The API key schemas: the view (API.md `apiKey`) the route documents and db/api-keys.ts maps rows to, and the
// body that creates one (services/api-keys/create-api-key.ts takes its inferred type).
import { z } from "@hono/zod-openapi";
import { isoDate } from "../lib/openapi";
import { instant } from "../lib/time";
import { SCOPES } from "../domain/scopes";

export const apiKeySchema = z
  .object({
    id: z.string().openapi({ example: "key_3kTq9ZyP0aB1cD2eF3gH" }),
    name: z.string(),
    prefix: z.string().openapi({ example: "esk_AbCd1234", description: "the first characters of the secret" }),
    scopes: z.array(z.string()),
    status: z.enum(["active", "expired", "revoked"]),
    expiresAt: isoDate.nullable(),
    lastUsedAt: isoDate.nullable(),
    revokedAt: isoDate.nullable(),
    createdAt: isoDate,
  })
  .openapi("ApiKey");

export const apiKeyWithSecret = apiKeySchema
  .extend({ secret: z.string().openapi({ description: "shown only in this response", example: "esk_…" }) })
  .openapi("ApiKeyWithSecret");

export const createApiKeyBody = z
  .object({
    name: z.string().trim().min(1).max(100),
    scopes: z.array(z.enum(SCOPES)).min(1).max(SCOPES.length),
    expiresAt: instant({ future: true, description: "When the key stops working (never when absent)" }).optional(),
  })
  .openapi("CreateApiKey");
