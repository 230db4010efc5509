// Operational gauges read from D1 for /metrics and /health/detailed: backlogs, dead letters, delivery outcomes and
// anchoring lag. Each is one grouped COUNT over an indexed status column (migration 0033), run at scrape time.

export interface OperationalCounts {
  deadLetters: { queue: string; count: number }[];
  webhookDeliveries: { status: string; count: number }[];
  emailDeliveries: { status: string; count: number }[];
  anchorRecords: { status: string; count: number }[];
  /** Oldest pending anchor record per network (ISO time), for the anchoring lag. */
  oldestPendingAnchors: { network: string; createdAt: string }[];
}

export async function operationalCounts(d1: D1Database): Promise<OperationalCounts> {
  const [dead, webhooks, emails, anchors, oldest] = await d1.batch<Record<string, unknown>>([
    d1.prepare("SELECT queue, COUNT(*) AS count FROM dead_letters WHERE replayed_at IS NULL GROUP BY queue"),
    d1.prepare("SELECT status, COUNT(*) AS count FROM webhook_deliveries GROUP BY status"),
    d1.prepare("SELECT status, COUNT(*) AS count FROM email_deliveries GROUP BY status"),
    d1.prepare("SELECT status, COUNT(*) AS count FROM anchor_records GROUP BY status"),
    d1.prepare(
      "SELECT network, MIN(created_at) AS createdAt FROM anchor_records WHERE status = 'pending' GROUP BY network",
    ),
  ]);
  const rows = <T>(r: D1Result<Record<string, unknown>> | undefined) => (r?.results ?? []) as T[];
  return {
    deadLetters: rows(dead),
    webhookDeliveries: rows(webhooks),
    emailDeliveries: rows(emails),
    anchorRecords: rows(anchors),
    oldestPendingAnchors: rows(oldest),
  };
}
