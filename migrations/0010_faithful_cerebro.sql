CREATE TABLE `escrows` (
	`id` text PRIMARY KEY NOT NULL,
	`status` text NOT NULL,
	`buyer_id` text NOT NULL,
	`seller_id` text NOT NULL,
	`listing_id` text,
	`contract_id` text,
	`amount` integer NOT NULL,
	`currency` text NOT NULL,
	`commission` integer NOT NULL,
	`seller_payout` integer NOT NULL,
	`description` text NOT NULL,
	`inspection_period_hours` integer NOT NULL,
	`payment_provider` text NOT NULL,
	`payment_reference` text,
	`payment_status` text NOT NULL,
	`payout_status` text NOT NULL,
	`delivered_at` text,
	`inspection_ends_at` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`funded_at` text,
	`released_at` text,
	`completed_at` text,
	`refunded_at` text,
	`disputed_at` text,
	`dispute_reason` text,
	`revision` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `escrows_buyer_idx` ON `escrows` (`buyer_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `escrows_seller_idx` ON `escrows` (`seller_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `escrows_status_idx` ON `escrows` (`status`,`created_at`);--> statement-breakpoint
CREATE INDEX `escrows_listing_idx` ON `escrows` (`listing_id`);--> statement-breakpoint
CREATE INDEX `escrows_contract_idx` ON `escrows` (`contract_id`);--> statement-breakpoint
CREATE TABLE `payment_events` (
	`id` text PRIMARY KEY NOT NULL,
	`provider` text NOT NULL,
	`type` text NOT NULL,
	`reference` text,
	`escrow_id` text,
	`outcome` text NOT NULL,
	`received_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `payment_events_escrow_idx` ON `payment_events` (`escrow_id`);