CREATE TABLE `dev_mailbox` (
	`id` text PRIMARY KEY NOT NULL,
	`delivery_id` text NOT NULL,
	`to` text NOT NULL,
	`from` text NOT NULL,
	`subject` text NOT NULL,
	`text` text NOT NULL,
	`html` text NOT NULL,
	`sent_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `dev_mailbox_delivery_id_unique` ON `dev_mailbox` (`delivery_id`);--> statement-breakpoint
CREATE INDEX `dev_mailbox_to_idx` ON `dev_mailbox` (`to`,`sent_at`);--> statement-breakpoint
CREATE TABLE `email_deliveries` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text,
	`to` text NOT NULL,
	`template` text NOT NULL,
	`data` text NOT NULL,
	`subject` text,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_error` text,
	`provider_message_id` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`last_attempt_at` text,
	`sent_at` text,
	`failed_at` text
);
--> statement-breakpoint
CREATE INDEX `email_deliveries_to_idx` ON `email_deliveries` (`to`,`created_at`);--> statement-breakpoint
CREATE INDEX `email_deliveries_user_idx` ON `email_deliveries` (`user_id`);--> statement-breakpoint
CREATE TABLE `event_consumptions` (
	`event_id` text NOT NULL,
	`consumer` text NOT NULL,
	`completed_at` text NOT NULL,
	PRIMARY KEY(`event_id`, `consumer`)
);
