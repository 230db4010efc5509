-- Phone verification (issue 17.3): a user's phone (E.164) and when it was verified; one-time codes share the
-- email_verifications table and its attempt/expiry mechanism, told apart by `channel` ('email' | 'phone').
ALTER TABLE `users` ADD `phone` text;
--> statement-breakpoint
ALTER TABLE `users` ADD `phone_verified_at` text;
--> statement-breakpoint
ALTER TABLE `email_verifications` ADD `channel` text DEFAULT 'email' NOT NULL;
--> statement-breakpoint
ALTER TABLE `email_verifications` ADD `target` text;
--> statement-breakpoint
DROP INDEX IF EXISTS `email_verifications_user_idx`;
--> statement-breakpoint
CREATE INDEX `email_verifications_user_idx` ON `email_verifications` (`user_id`,`channel`,`created_at`);
