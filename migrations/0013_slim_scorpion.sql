CREATE TABLE `signing_schedule` (
	`contract_id` text PRIMARY KEY NOT NULL,
	`next_due_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `signing_schedule_due_idx` ON `signing_schedule` (`next_due_at`);