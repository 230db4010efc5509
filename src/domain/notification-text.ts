// What a notification says: a title and one sentence per event type, from the event's data alone (pure).
// In-app notifications and notification emails both use it, so the two always say the same thing.
import type { DomainEvent, EventType } from "./events";
import { isCurrency, minorUnits } from "./money";

export interface NotificationText {
  title: string;
  body: string;
  /** Where the app shows the resource (relative to the app's base URL), when there is one. */
  link: string | null;
}

const PHRASES: Record<EventType, string> = {
  "contract.created": "was created",
  "contract.updated": "was updated",
  "contract.sent": "was sent for signature",
  "contract.approved": "was approved by an approver",
  "contract.signed": "was signed by a party",
  "contract.declined": "was declined",
  "contract.activated": "is now active: every required party signed",
  "contract.execution_recorded": "has its executed document sealed and anchored as the execution record",
  "contract.completed": "was completed",
  "contract.cancelled": "was cancelled",
  "contract.expired": "expired before every party signed",
  "contract.reminder_sent": "is waiting for your signature",
  "escrow.created": "was created",
  "escrow.funded": "was funded; the money is held in escrow",
  "escrow.contract_signed": "has its contract signed",
  "escrow.delivered": "was marked delivered",
  "escrow.credentials_released": "has its credentials released",
  "escrow.completed": "was completed",
  "escrow.disputed": "is disputed",
  "escrow.released": "had its funds released",
  "escrow.refunded": "was refunded",
  "escrow.payout_sent": "had its payout sent",
  "escrow.payout_failed": "had a payout that failed",
  "escrow.cancelled": "was cancelled before it was funded",
  "escrow.expired": "expired before it was funded",
  "escrow.payment_unmatched": "received a payment that could not fund it; it is being refunded",
  "listing.submitted": "was submitted for review",
  "listing.approved": "was approved",
  "listing.rejected": "was rejected",
  "listing.info_requested": "needs more information before review",
  "listing.reserved": "was reserved by a buyer",
  "listing.unreserved": "is back in the catalog: its reservation ended",
  "listing.sold": "was sold",
  "anchor.anchored": "was anchored on chain",
  "anchor.confirmed": "is confirmed on chain",
  "webhook.test": "received a test event",
  "report.progress": "is being prepared",
  "report.ready": "is ready to download",
  "export.ready": "is ready to download",
};

const NOUNS: Record<DomainEvent["subject"]["type"], string> = {
  contract: "Contract",
  escrow: "Escrow",
  listing: "Listing",
  anchor: "Anchor batch",
  webhook_endpoint: "Webhook endpoint",
  user: "Your account",
};

const LINKED = new Set(["contract", "escrow", "listing"]);

export function notificationText(event: Pick<DomainEvent, "type" | "data" | "subject">): NotificationText {
  const data = event.data as Record<string, unknown>;
  const named =
    typeof data.title === "string" && data.title.trim()
      ? ` "${data.title.trim().slice(0, 120)}"`
      : event.subject.type === "escrow"
        ? ` ${escrowName(event.subject.id, data)}`
        : "";
  const noun = NOUNS[event.subject.type];
  const title = `${noun}${named} ${PHRASES[event.type]}`;
  const reason =
    typeof data.reason === "string" && data.reason.trim() ? ` Reason: ${data.reason.trim().slice(0, 500)}` : "";
  const body = `${title}.${reason}`;
  const link = LINKED.has(event.subject.type)
    ? `/${event.subject.type}s/${encodeURIComponent(event.subject.id)}`
    : null;
  return { title: title.slice(0, 200), body, link };
}

/** An escrow named the way its parties know it: its amount and id, e.g. `esc_… (5,000.00 NGN)`. */
function escrowName(id: string, data: Record<string, unknown>): string {
  const { amount, currency } = data;
  if (typeof amount !== "number" || typeof currency !== "string" || !isCurrency(currency)) return id;
  const digits = minorUnits(currency);
  const major = (amount / 10 ** digits).toLocaleString("en-US", {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
  return `${id} (${major} ${currency})`;
}
