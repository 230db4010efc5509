-- Times are stored as UTC instants in one canonical form (YYYY-MM-DDTHH:MM:SS.sssZ), so text comparisons order
-- them correctly; values stored before the boundary normalised offsets (e.g. "…T10:00:00-08:00") are restated in UTC.
-- SQLite's strftime understands RFC 3339 offsets and fractional seconds; unparseable values are left untouched.
UPDATE `contracts` SET `expires_at` = strftime('%Y-%m-%dT%H:%M:%fZ', `expires_at`)
WHERE `expires_at` IS NOT NULL AND strftime('%Y-%m-%dT%H:%M:%fZ', `expires_at`) IS NOT NULL
  AND `expires_at` <> strftime('%Y-%m-%dT%H:%M:%fZ', `expires_at`);
--> statement-breakpoint
UPDATE `api_keys` SET `expires_at` = strftime('%Y-%m-%dT%H:%M:%fZ', `expires_at`)
WHERE `expires_at` IS NOT NULL AND strftime('%Y-%m-%dT%H:%M:%fZ', `expires_at`) IS NOT NULL
  AND `expires_at` <> strftime('%Y-%m-%dT%H:%M:%fZ', `expires_at`);
