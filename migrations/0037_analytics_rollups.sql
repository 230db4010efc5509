-- Daily analytics rollups (issue 16.3). Hand-written: drizzle-kit cannot express triggers. Triggers on contracts and
-- escrows mark the UTC days a write touches as dirty in the same statement as the write; the cron
-- (src/cron/analytics-rollup.ts) recomputes dirty days from the source rows; queries read clean days from the
-- rollup and dirty or partial days live, so figures are always exact (src/db/analytics.ts).
CREATE TABLE `analytics_daily` (
	`grain` text NOT NULL,
	`day` text NOT NULL,
	`owner_id` text DEFAULT '' NOT NULL,
	`team_id` text DEFAULT '' NOT NULL,
	`type` text DEFAULT '' NOT NULL,
	`currency` text DEFAULT '' NOT NULL,
	`created` integer DEFAULT 0 NOT NULL,
	`created_sent` integer DEFAULT 0 NOT NULL,
	`created_executed` integer DEFAULT 0 NOT NULL,
	`sent` integer DEFAULT 0 NOT NULL,
	`sent_executed` integer DEFAULT 0 NOT NULL,
	`executed` integer DEFAULT 0 NOT NULL,
	`execute_ms` integer DEFAULT 0 NOT NULL,
	`funded` integer DEFAULT 0 NOT NULL,
	`funded_amount` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`grain`, `day`, `owner_id`, `team_id`, `type`, `currency`)
) WITHOUT ROWID;
--> statement-breakpoint
-- A user's scope reads their own rows and their teams' rows through these; the metrics ride along (covering).
CREATE INDEX `analytics_daily_owner_idx` ON `analytics_daily` (`owner_id`,`day`,`created`,`created_sent`,`created_executed`,`sent`,`sent_executed`,`executed`,`execute_ms`) WHERE grain = 'full';
--> statement-breakpoint
CREATE INDEX `analytics_daily_team_idx` ON `analytics_daily` (`team_id`,`day`,`created`,`created_sent`,`created_executed`,`sent`,`sent_executed`,`executed`,`execute_ms`) WHERE grain = 'full';
--> statement-breakpoint
-- The triggers below never rely on a conflict clause of their own: SQLite lets the statement that fires a trigger
-- override it (an upsert into contracts would turn INSERT OR IGNORE into ABORT), so they insert only missing days.
CREATE TABLE `analytics_dirty` (
	`day` text PRIMARY KEY NOT NULL
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TRIGGER `contracts_analytics_ai` AFTER INSERT ON `contracts` BEGIN
  INSERT INTO analytics_dirty (day) SELECT DISTINCT substr(value, 1, 10) FROM json_each(json_array(new.created_at, new.sent_at, new.activated_at))
    WHERE value IS NOT NULL AND NOT EXISTS (SELECT 1 FROM analytics_dirty WHERE day = substr(value, 1, 10));
END;
--> statement-breakpoint
CREATE TRIGGER `contracts_analytics_au` AFTER UPDATE OF created_at, sent_at, activated_at, owner_id, team_id, type ON `contracts`
WHEN old.created_at IS NOT new.created_at OR old.sent_at IS NOT new.sent_at OR old.activated_at IS NOT new.activated_at
  OR old.owner_id IS NOT new.owner_id OR old.team_id IS NOT new.team_id OR old.type IS NOT new.type BEGIN
  INSERT INTO analytics_dirty (day) SELECT DISTINCT substr(value, 1, 10) FROM json_each(json_array(old.created_at, old.sent_at, old.activated_at, new.created_at, new.sent_at, new.activated_at))
    WHERE value IS NOT NULL AND NOT EXISTS (SELECT 1 FROM analytics_dirty WHERE day = substr(value, 1, 10));
END;
--> statement-breakpoint
CREATE TRIGGER `contracts_analytics_ad` AFTER DELETE ON `contracts` BEGIN
  INSERT INTO analytics_dirty (day) SELECT DISTINCT substr(value, 1, 10) FROM json_each(json_array(old.created_at, old.sent_at, old.activated_at))
    WHERE value IS NOT NULL AND NOT EXISTS (SELECT 1 FROM analytics_dirty WHERE day = substr(value, 1, 10));
END;
--> statement-breakpoint
CREATE TRIGGER `escrows_analytics_ai` AFTER INSERT ON `escrows` WHEN new.funded_at IS NOT NULL BEGIN
  INSERT INTO analytics_dirty (day) SELECT substr(new.funded_at, 1, 10)
    WHERE NOT EXISTS (SELECT 1 FROM analytics_dirty WHERE day = substr(new.funded_at, 1, 10));
END;
--> statement-breakpoint
CREATE TRIGGER `escrows_analytics_au` AFTER UPDATE OF funded_at, currency, amount ON `escrows`
WHEN old.funded_at IS NOT new.funded_at OR old.currency IS NOT new.currency OR old.amount IS NOT new.amount BEGIN
  INSERT INTO analytics_dirty (day) SELECT DISTINCT substr(value, 1, 10) FROM json_each(json_array(old.funded_at, new.funded_at))
    WHERE value IS NOT NULL AND NOT EXISTS (SELECT 1 FROM analytics_dirty WHERE day = substr(value, 1, 10));
END;
--> statement-breakpoint
CREATE TRIGGER `escrows_analytics_ad` AFTER DELETE ON `escrows` WHEN old.funded_at IS NOT NULL BEGIN
  INSERT INTO analytics_dirty (day) SELECT substr(old.funded_at, 1, 10)
    WHERE NOT EXISTS (SELECT 1 FROM analytics_dirty WHERE day = substr(old.funded_at, 1, 10));
END;
--> statement-breakpoint
-- Every day that already has data starts dirty: read live until the cron has rolled it up.
INSERT OR IGNORE INTO analytics_dirty (day)
  SELECT substr(created_at, 1, 10) FROM contracts
  UNION SELECT substr(sent_at, 1, 10) FROM contracts WHERE sent_at IS NOT NULL
  UNION SELECT substr(activated_at, 1, 10) FROM contracts WHERE activated_at IS NOT NULL
  UNION SELECT substr(funded_at, 1, 10) FROM escrows WHERE funded_at IS NOT NULL;
