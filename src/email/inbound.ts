// Inbound email (Email Workers). Until contract mailboxes exist, every message is rejected with a reason.
import type { Bindings } from "../env";
import { log } from "../lib/request-context";

export async function handleInboundEmail(message: ForwardableEmailMessage, env: Bindings): Promise<void> {
  log("info", "inbound email rejected", { from: message.from, to: message.to, environment: env.ENVIRONMENT });
  message.setReject("No mailbox accepts mail at this address");
}
