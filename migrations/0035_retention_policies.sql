-- Retention policies (issue 15.4): one per record kind, applied daily by src/cron/retention.ts. Hand-written; the
-- seeded rows are the safe defaults of src/domain/retention.ts DEFAULT_POLICIES (same values).
CREATE TABLE `retention_policies` (
	`id` text PRIMARY KEY NOT NULL,
	`record_kind` text NOT NULL,
	`type` text NOT NULL,
	`period_days` integer NOT NULL,
	`updated_by` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `retention_policies_kind_uq` ON `retention_policies` (`record_kind`);
--> statement-breakpoint
INSERT INTO `retention_policies` (`id`, `record_kind`, `type`, `period_days`, `updated_by`, `created_at`, `updated_at`) VALUES
  ('pol_DefaultUnverified001', 'unverified_accounts', 'deletion', 7, NULL, '2026-11-30T00:00:00.000Z', '2026-11-30T00:00:00.000Z'),
  ('pol_DefaultSessions00001', 'sessions', 'deletion', 30, NULL, '2026-11-30T00:00:00.000Z', '2026-11-30T00:00:00.000Z'),
  ('pol_DefaultLockouts00001', 'login_lockouts', 'deletion', 1, NULL, '2026-11-30T00:00:00.000Z', '2026-11-30T00:00:00.000Z'),
  ('pol_DefaultEmailPayload1', 'email_payloads', 'retention', 30, NULL, '2026-11-30T00:00:00.000Z', '2026-11-30T00:00:00.000Z'),
  ('pol_DefaultDeadLetters01', 'dead_letters', 'deletion', 30, NULL, '2026-11-30T00:00:00.000Z', '2026-11-30T00:00:00.000Z'),
  ('pol_DefaultAuditLogs0001', 'audit_logs', 'deletion', 2557, NULL, '2026-11-30T00:00:00.000Z', '2026-11-30T00:00:00.000Z');
