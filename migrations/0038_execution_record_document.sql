-- Issue 14.2: an execution record commits to the executed PDF. Its SHA-256 is kept beside the record so /verify
-- finds the execution record from the executed PDF's own hash (PDF → its hash → execution record → root).
-- Hand-written; null on "document" records and on execution records made before this change (scheme v1).
ALTER TABLE `anchor_records` ADD `executed_document_hash` text;
--> statement-breakpoint
CREATE INDEX `anchor_records_executed_idx` ON `anchor_records` (`executed_document_hash`);
