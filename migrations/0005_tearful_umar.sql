CREATE TABLE `anchor_batches` (
	`id` text PRIMARY KEY NOT NULL,
	`network` text NOT NULL,
	`chain_id` integer NOT NULL,
	`status` text NOT NULL,
	`root` text,
	`size` integer DEFAULT 0 NOT NULL,
	`record_count` integer DEFAULT 0 NOT NULL,
	`from_address` text NOT NULL,
	`to_address` text NOT NULL,
	`tx_hash` text,
	`replaced_tx_hashes` text DEFAULT '[]' NOT NULL,
	`nonce` integer,
	`gas_limit` text,
	`max_fee_per_gas` text,
	`max_priority_fee_per_gas` text,
	`gas_used` text,
	`effective_gas_price` text,
	`mined_block` integer,
	`mined_block_hash` text,
	`confirmations` integer DEFAULT 0 NOT NULL,
	`error` text,
	`created_at` text NOT NULL,
	`sent_at` text,
	`mined_at` text,
	`confirmed_at` text,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `anchor_batches_status_idx` ON `anchor_batches` (`chain_id`,`status`);--> statement-breakpoint
CREATE INDEX `anchor_batches_created_idx` ON `anchor_batches` (`created_at`);--> statement-breakpoint
CREATE TABLE `anchor_records` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`hash` text NOT NULL,
	`contract_id` text NOT NULL,
	`network` text NOT NULL,
	`chain_id` integer NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`batch_id` text,
	`leaf` text,
	`proof` text,
	`root` text,
	`tx_hash` text,
	`block_number` integer,
	`confirmations` integer DEFAULT 0 NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`created_at` text NOT NULL,
	`anchored_at` text,
	`confirmed_at` text,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `anchor_records_uq` ON `anchor_records` (`kind`,`contract_id`,`hash`,`chain_id`);--> statement-breakpoint
CREATE INDEX `anchor_records_claim_idx` ON `anchor_records` (`chain_id`,`status`,`batch_id`);--> statement-breakpoint
CREATE INDEX `anchor_records_batch_idx` ON `anchor_records` (`batch_id`,`hash`);--> statement-breakpoint
CREATE INDEX `anchor_records_hash_idx` ON `anchor_records` (`hash`);--> statement-breakpoint
CREATE INDEX `anchor_records_contract_idx` ON `anchor_records` (`contract_id`,`created_at`);