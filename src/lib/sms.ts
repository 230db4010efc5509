// SMS behind one interface, like email. No provider is configured yet, so the default sender declines every
// message (the notifications consumer then leaves the channel unmarked); a real provider plugs in here.
import type { Bindings } from "../env";

export interface SmsSender {
  /** Returns false when the message was not sent (no provider, no number). */
  send(input: { userId: string; text: string }): Promise<boolean>;
}

const notConfigured: SmsSender = { send: async () => false };

export function smsSender(_env: Bindings): SmsSender {
  return notConfigured;
}
