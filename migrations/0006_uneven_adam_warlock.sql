CREATE TABLE `contract_attachments` (
	`id` text PRIMARY KEY NOT NULL,
	`contract_id` text NOT NULL,
	`name` text NOT NULL,
	`content_type` text NOT NULL,
	`size` integer NOT NULL,
	`sha256` text NOT NULL,
	`uploaded_by` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `contract_attachments_contract_idx` ON `contract_attachments` (`contract_id`);--> statement-breakpoint
CREATE TABLE `contract_shares` (
	`id` text PRIMARY KEY NOT NULL,
	`contract_id` text NOT NULL,
	`email` text NOT NULL,
	`user_id` text,
	`permission` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `contract_shares_contract_idx` ON `contract_shares` (`contract_id`);--> statement-breakpoint
CREATE INDEX `contract_shares_email_idx` ON `contract_shares` (`email`);--> statement-breakpoint
CREATE TABLE `contract_signers` (
	`id` text PRIMARY KEY NOT NULL,
	`contract_id` text NOT NULL,
	`email` text NOT NULL,
	`name` text NOT NULL,
	`role` text NOT NULL,
	`order` integer NOT NULL,
	`status` text NOT NULL,
	`signed_at` text,
	`signature` text
);
--> statement-breakpoint
CREATE INDEX `contract_signers_contract_idx` ON `contract_signers` (`contract_id`,`order`);--> statement-breakpoint
CREATE INDEX `contract_signers_email_idx` ON `contract_signers` (`email`);--> statement-breakpoint
CREATE TABLE `contract_upload_parts` (
	`upload_id` text NOT NULL,
	`part_number` integer NOT NULL,
	`etag` text NOT NULL,
	`size` integer NOT NULL,
	PRIMARY KEY(`upload_id`, `part_number`)
);
--> statement-breakpoint
CREATE TABLE `contract_uploads` (
	`id` text PRIMARY KEY NOT NULL,
	`contract_id` text NOT NULL,
	`r2_key` text NOT NULL,
	`r2_upload_id` text NOT NULL,
	`name` text NOT NULL,
	`content_type` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` text NOT NULL,
	`completed_at` text
);
--> statement-breakpoint
CREATE INDEX `contract_uploads_contract_idx` ON `contract_uploads` (`contract_id`);--> statement-breakpoint
CREATE TABLE `contracts` (
	`id` text PRIMARY KEY NOT NULL,
	`title` text NOT NULL,
	`type` text NOT NULL,
	`description` text,
	`status` text NOT NULL,
	`version` integer NOT NULL,
	`owner_id` text NOT NULL,
	`team_id` text,
	`body` text NOT NULL,
	`variables` text NOT NULL,
	`template_id` text,
	`template_version` integer,
	`value_amount` integer,
	`value_currency` text,
	`tags` text NOT NULL,
	`category` text,
	`document_hash` text,
	`expires_at` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`sent_at` text,
	`activated_at` text,
	`completed_at` text,
	`cancelled_at` text,
	`cancel_reason` text,
	`revision` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `contracts_owner_idx` ON `contracts` (`owner_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `contracts_team_idx` ON `contracts` (`team_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `contracts_status_idx` ON `contracts` (`status`,`created_at`);--> statement-breakpoint
CREATE TABLE `saved_searches` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`name` text NOT NULL,
	`query` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `saved_searches_user_idx` ON `saved_searches` (`user_id`);--> statement-breakpoint
CREATE TABLE `template_versions` (
	`template_id` text NOT NULL,
	`version` integer NOT NULL,
	`name` text NOT NULL,
	`description` text,
	`category` text,
	`contract_type` text NOT NULL,
	`body` text NOT NULL,
	`variables` text NOT NULL,
	`author_id` text,
	`created_at` text NOT NULL,
	PRIMARY KEY(`template_id`, `version`)
);
--> statement-breakpoint
CREATE TABLE `templates` (
	`id` text PRIMARY KEY NOT NULL,
	`owner_id` text,
	`team_id` text,
	`name` text NOT NULL,
	`description` text,
	`category` text,
	`contract_type` text NOT NULL,
	`body` text NOT NULL,
	`variables` text NOT NULL,
	`version` integer NOT NULL,
	`starter` integer DEFAULT false NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `templates_owner_idx` ON `templates` (`owner_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `templates_team_idx` ON `templates` (`team_id`,`created_at`);