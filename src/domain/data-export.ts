// Asynchronous personal-data exports (GDPR Art. 15/20, issue 15.1), the pure rules: statuses, the 24-hour link
// validity, and what a reader may do with an export at a given time.

export const DATA_EXPORT_STATUSES = ["queued", "running", "ready", "failed", "expired"] as const;
export type DataExportStatus = (typeof DATA_EXPORT_STATUSES)[number];

/** Hours an export stays downloadable once ready (the emailed link's validity), and a queued one stays pending. */
export const DATA_EXPORT_TTL_HOURS = 24;

/** Days an expired export's record (no file) stays visible as `expired` before the cron removes it. */
export const EXPIRED_EXPORT_RECORD_DAYS = 30;

/**
 * When an export expires.
 * @param from ISO UTC instant: the request (while pending) or the completion (once ready)
 * @returns ISO UTC instant DATA_EXPORT_TTL_HOURS later
 */
export function dataExportExpiry(from: string): string {
  return new Date(Date.parse(from) + DATA_EXPORT_TTL_HOURS * 3_600_000).toISOString();
}

/** The status a reader sees at `now`: any export past its expiry is `expired`, whether or not the cron ran yet. */
export function visibleExportStatus(
  row: { status: DataExportStatus; expiresAt: string },
  now: string,
): DataExportStatus {
  return row.expiresAt <= now ? "expired" : row.status;
}

/**
 * Whether the file can be downloaded at `now`.
 * @returns "ok", or why not: `pending` (queued/running), `failed`, `expired` (past the 24 h, stable code RES002)
 */
export function downloadRefusal(
  row: { status: DataExportStatus; expiresAt: string },
  now: string,
): "ok" | "pending" | "failed" | "expired" {
  const status = visibleExportStatus(row, now);
  if (status === "ready") return "ok";
  if (status === "queued" || status === "running") return "pending";
  return status;
}
