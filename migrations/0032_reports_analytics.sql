-- Reports (issue 16.1): one row per asynchronous export, its file in R2 under `reports/<id>`, removed by cron at
-- expires_at. Indexes for the report and analytics queries (16.3): range scans on the instants they bucket by, each
-- covering what the analytics queries read, so a year of a million contracts is one index scan (no table lookups).
CREATE TABLE `reports` (
	`id` text PRIMARY KEY NOT NULL,
	`owner_id` text NOT NULL,
	`team_id` text,
	`kind` text NOT NULL,
	`format` text NOT NULL,
	`filters` text NOT NULL,
	`status` text NOT NULL,
	`progress` integer DEFAULT 0 NOT NULL,
	`row_count` integer,
	`size` integer,
	`r2_key` text,
	`error` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`completed_at` text,
	`expires_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `reports_owner_idx` ON `reports` (`owner_id`,`created_at`);
--> statement-breakpoint
CREATE INDEX `reports_team_idx` ON `reports` (`team_id`);
--> statement-breakpoint
CREATE INDEX `reports_expires_idx` ON `reports` (`expires_at`);
--> statement-breakpoint
CREATE INDEX `contracts_created_idx` ON `contracts` (`created_at`,`owner_id`,`team_id`,`type`,`sent_at`,`activated_at`);
--> statement-breakpoint
CREATE INDEX `contracts_sent_idx` ON `contracts` (`sent_at`,`activated_at`);
--> statement-breakpoint
CREATE INDEX `contracts_activated_idx` ON `contracts` (`activated_at`,`sent_at`);
--> statement-breakpoint
CREATE INDEX `escrows_created_idx` ON `escrows` (`created_at`);
--> statement-breakpoint
CREATE INDEX `escrows_funded_idx` ON `escrows` (`funded_at`,`currency`,`amount`);
