-- Issue 16.2/16.4: the audit log API and operational metrics.
-- audit_logs: the correlation (request) id of the action, and the domain event a row projects (one row per event,
-- so a redelivered event cannot be recorded twice); indexes for the audit list's time order and its filters.
-- Status indexes let /metrics count backlogs without scanning the delivery tables.
ALTER TABLE `audit_logs` ADD `request_id` text;
--> statement-breakpoint
ALTER TABLE `audit_logs` ADD `event_id` text;
--> statement-breakpoint
CREATE UNIQUE INDEX `audit_logs_event_uq` ON `audit_logs` (`event_id`) WHERE `event_id` IS NOT NULL;
--> statement-breakpoint
CREATE INDEX `audit_logs_created_idx` ON `audit_logs` (`created_at`,`id`);
--> statement-breakpoint
CREATE INDEX `audit_logs_resource_time_idx` ON `audit_logs` (`resource_type`,`resource_id`,`created_at`);
--> statement-breakpoint
CREATE INDEX `webhook_deliveries_status_idx` ON `webhook_deliveries` (`status`);
--> statement-breakpoint
CREATE INDEX `email_deliveries_status_idx` ON `email_deliveries` (`status`);
--> statement-breakpoint
CREATE INDEX `anchor_records_status_idx` ON `anchor_records` (`status`,`network`,`created_at`);
