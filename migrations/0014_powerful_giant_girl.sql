ALTER TABLE `users` ADD `payout_recipient_code` text;--> statement-breakpoint
ALTER TABLE `users` ADD `payout_provider` text;--> statement-breakpoint
ALTER TABLE `users` ADD `payout_bank_code` text;--> statement-breakpoint
ALTER TABLE `users` ADD `payout_account_last4` text;--> statement-breakpoint
ALTER TABLE `users` ADD `payout_account_name` text;--> statement-breakpoint
ALTER TABLE `users` ADD `payout_currency` text;--> statement-breakpoint
ALTER TABLE `users` ADD `payout_account_updated_at` text;