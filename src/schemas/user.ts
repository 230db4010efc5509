// API.md's `user` object: the one schema its type, its OpenAPI component and its mapper (db/users.ts) derive from.
import { z } from "@hono/zod-openapi";
import { isoDate } from "../lib/openapi";
import { ACCOUNT_TYPES, ROLES } from "../db/schema/identity";

export const userSchema = z
  .object({
    id: z.string().openapi({ example: "usr_3kTq9ZyP0aB1cD2eF3gH" }),
    email: z.string(),
    name: z.string(),
    role: z.enum(ROLES),
    accountType: z.enum(ACCOUNT_TYPES),
    company: z.string().nullable(),
    industry: z.string().nullable(),
    emailVerified: z.boolean(),
    mfaEnabled: z.boolean(),
    phone: z
      .string()
      .nullable()
      .openapi({ description: "E.164, present once verified by an SMS code", example: "+2348012345678" }),
    phoneVerified: z.boolean(),
    avatarUrl: z.string().nullable().openapi({ example: "/api/v1/users/usr_3kTq9ZyP0aB1cD2eF3gH/avatar" }),
    createdAt: isoDate,
  })
  .openapi("User");
