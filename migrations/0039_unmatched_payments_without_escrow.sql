-- A charge for a reference we never issued names no escrow: unmatched_payments.escrow_id becomes nullable so such a
-- charge is recorded and refunded like any unmatched payment. SQLite cannot drop NOT NULL in place: the table is
-- rebuilt (nothing references it, so D1's ignored foreign_keys pragma cannot cascade anything here).
CREATE TABLE `__new_unmatched_payments` (
	`id` text PRIMARY KEY NOT NULL,
	`escrow_id` text,
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
INSERT INTO `__new_unmatched_payments` (`id`, `escrow_id`, `reference`, `provider`, `amount`, `currency`, `reason`,
	`state`, `last_error`, `received_at`, `updated_at`, `refunded_at`, `revision`)
	SELECT `id`, `escrow_id`, `reference`, `provider`, `amount`, `currency`, `reason`, `state`, `last_error`,
	`received_at`, `updated_at`, `refunded_at`, `revision` FROM `unmatched_payments`;--> statement-breakpoint
DROP TABLE `unmatched_payments`;--> statement-breakpoint
ALTER TABLE `__new_unmatched_payments` RENAME TO `unmatched_payments`;--> statement-breakpoint
CREATE UNIQUE INDEX `unmatched_payments_reference_idx` ON `unmatched_payments` (`reference`);--> statement-breakpoint
CREATE INDEX `unmatched_payments_state_idx` ON `unmatched_payments` (`state`,`received_at`);
