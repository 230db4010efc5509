CREATE TABLE `listing_proofs` (
	`id` text PRIMARY KEY NOT NULL,
	`listing_id` text NOT NULL,
	`name` text NOT NULL,
	`content_type` text NOT NULL,
	`size` integer NOT NULL,
	`sha256` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `listing_proofs_listing_idx` ON `listing_proofs` (`listing_id`);--> statement-breakpoint
CREATE TABLE `listings` (
	`id` text PRIMARY KEY NOT NULL,
	`seller_id` text NOT NULL,
	`title` text NOT NULL,
	`description` text NOT NULL,
	`category` text NOT NULL,
	`price_amount` integer NOT NULL,
	`currency` text NOT NULL,
	`status` text NOT NULL,
	`review_note` text,
	`escrow_id` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`submitted_at` text,
	`approved_at` text,
	`sold_at` text
);
--> statement-breakpoint
CREATE INDEX `listings_seller_idx` ON `listings` (`seller_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `listings_status_idx` ON `listings` (`status`,`created_at`);--> statement-breakpoint
CREATE INDEX `listings_catalog_idx` ON `listings` (`status`,`category`,`price_amount`);