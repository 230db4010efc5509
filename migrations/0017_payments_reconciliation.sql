-- Payments reconciliation and reservations (issue 12 kinds 1, 2, 4): unmatched payments (projection of the
-- EscrowRoom's charge records), buyers' holds on unfunded escrows (the cap is a conditional INSERT), and the
-- one-escrow-per-contract link. Backfilled from the escrows projection.
CREATE TABLE `unmatched_payments` (
	`id` text PRIMARY KEY NOT NULL,
	`escrow_id` text NOT NULL,
	`reference` text NOT NULL,
	`provider` text NOT NULL,
	`amount` integer NOT NULL,
	`currency` text NOT NULL,
	`reason` text NOT NULL,
	`state` text NOT NULL,
	`last_error` text,
	`received_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`refunded_at` text,
	`revision` integer NOT NULL
);--> statement-breakpoint
CREATE UNIQUE INDEX `unmatched_payments_reference_idx` ON `unmatched_payments` (`reference`);--> statement-breakpoint
CREATE INDEX `unmatched_payments_state_idx` ON `unmatched_payments` (`state`,`received_at`);--> statement-breakpoint
CREATE TABLE `escrow_holds` (
	`escrow_id` text PRIMARY KEY NOT NULL,
	`buyer_id` text NOT NULL,
	`created_at` text NOT NULL
);--> statement-breakpoint
CREATE INDEX `escrow_holds_buyer_idx` ON `escrow_holds` (`buyer_id`);--> statement-breakpoint
CREATE TABLE `escrow_contract_links` (
	`contract_id` text PRIMARY KEY NOT NULL,
	`escrow_id` text NOT NULL
);--> statement-breakpoint
INSERT OR IGNORE INTO `escrow_holds` (`escrow_id`, `buyer_id`, `created_at`)
	SELECT `id`, `buyer_id`, `created_at` FROM `escrows` WHERE `status` = 'pending';--> statement-breakpoint
INSERT OR IGNORE INTO `escrow_contract_links` (`contract_id`, `escrow_id`)
	SELECT `contract_id`, `id` FROM `escrows` WHERE `contract_id` IS NOT NULL AND `status` NOT IN ('cancelled', 'expired')
	ORDER BY `created_at`;
