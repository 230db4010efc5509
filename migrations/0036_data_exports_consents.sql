-- Data lifecycle (issue 15.1, 15.5). `data_exports`: one row per asynchronous personal-data export, its JSON file in
-- R2 under `exports/<id>/…` until expires_at (24 h after it is ready), then removed by cron. `consent_records`:
-- append-only log of consents given and withdrawn (e-signature consent at signing, notification channel opt-ins);
-- the trigger refuses any change to what was consented, by whom, to which text version and when — only the
-- personal columns (email, ip, user_agent) may be cleared by erasure.
CREATE TABLE `data_exports` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`status` text NOT NULL,
	`size` integer,
	`r2_key` text,
	`error` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`completed_at` text,
	`expires_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `data_exports_user_idx` ON `data_exports` (`user_id`,`created_at`);
--> statement-breakpoint
CREATE INDEX `data_exports_expires_idx` ON `data_exports` (`expires_at`);
--> statement-breakpoint
CREATE TABLE `consent_records` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text,
	`email` text,
	`kind` text NOT NULL,
	`action` text NOT NULL,
	`contract_id` text,
	`signer_id` text,
	`event_type` text,
	`channel` text,
	`text_version` text NOT NULL,
	`ip` text,
	`user_agent` text,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `consent_records_user_idx` ON `consent_records` (`user_id`,`created_at`);
--> statement-breakpoint
CREATE INDEX `consent_records_contract_idx` ON `consent_records` (`contract_id`);
--> statement-breakpoint
CREATE TRIGGER `consent_records_append_only`
BEFORE UPDATE OF `id`, `user_id`, `kind`, `action`, `contract_id`, `signer_id`, `event_type`, `channel`,
	`text_version`, `created_at` ON `consent_records`
BEGIN
	SELECT RAISE(ABORT, 'consent records are append-only');
END;
