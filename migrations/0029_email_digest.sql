-- Email digest (issue 13.4): a user's burst threshold (notices per window; 0 turns the digest off) and window, NULL
-- meaning the defaults of src/domain/notification-digest.ts; a notice held for the digest records when.
ALTER TABLE `users` ADD `digest_threshold` integer;
--> statement-breakpoint
ALTER TABLE `users` ADD `digest_window_minutes` integer;
--> statement-breakpoint
ALTER TABLE `notifications` ADD `digest_at` text;
--> statement-breakpoint
CREATE INDEX `notifications_digest_idx` ON `notifications` (`digest_at`,`user_id`);
