// Job sms.send: hands one queued SMS ({ to, text, messageId }) to the configured provider. A provider failure
// throws, so the queue retries with backoff (and dead-letters after the last attempt); nothing is lost meanwhile.
import { z } from "zod";
import type { JobHandler } from "./types";
import { log } from "../lib/request-context";
import { smsProviderFor } from "../lib/sms";

const payloadSchema = z.object({
  to: z.string().min(2).max(20),
  text: z.string().min(1).max(1600),
  messageId: z.string().min(1),
});

export const sendSmsJob: JobHandler = async (message, env, ctx) => {
  const parsed = payloadSchema.safeParse(message.payload);
  if (!parsed.success) {
    log("error", "sms.send with a malformed payload", { messageId: message.id });
    return; // retrying cannot fix it
  }
  const provider = smsProviderFor(env);
  if (!provider) {
    // SMS was switched off after the message was queued: nothing can send it.
    log("warn", "sms.send without a configured provider; dropped", { messageId: parsed.data.messageId });
    return;
  }
  try {
    await provider.send(parsed.data);
  } catch (error) {
    // The reason never includes the text (it may hold a one-time code).
    log("warn", "sms send failed", {
      messageId: parsed.data.messageId,
      provider: provider.name,
      attempts: ctx.attempts,
      error: String(error),
    });
    throw error;
  }
};
