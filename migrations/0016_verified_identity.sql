-- Identity hardening (issue 11 kinds 1 and 4): who an email was sent on behalf of, so a suspended or erased
-- account's pending mail is not sent; and an index for the sweep that retires unverified accounts after 7 days.
ALTER TABLE `email_deliveries` ADD `on_behalf_of` text;--> statement-breakpoint
CREATE INDEX `email_deliveries_on_behalf_idx` ON `email_deliveries` (`on_behalf_of`,`status`);--> statement-breakpoint
CREATE INDEX `users_unverified_idx` ON `users` (`email_verified_at`,`created_at`);
