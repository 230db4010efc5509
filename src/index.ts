// Worker entry: HTTP (the Hono app), queue consumers, cron, inbound email, and the Durable Object classes.
import { createApp } from "./app";
import type { Bindings } from "./env";
import { handleQueueBatch } from "./jobs/dispatcher";
import { runScheduled } from "./cron";
import { handleInboundEmail } from "./email/inbound";

export { ContractRoom } from "../durable-objects/contract-room";
export { EscrowRoom } from "../durable-objects/escrow-room";
export { ListingRoom } from "../durable-objects/listing-room";
export { UserFeed } from "../durable-objects/user-feed";
export { RateLimiter } from "../durable-objects/rate-limiter";
export { MetricsRoom } from "../durable-objects/metrics-room";

const app = createApp();

export default {
  fetch: app.fetch,
  queue: (batch, env) => handleQueueBatch(batch, env),
  scheduled: (controller, env, ctx) => runScheduled(controller, env, ctx),
  email: (message, env) => handleInboundEmail(message, env),
} satisfies ExportedHandler<Bindings>;
