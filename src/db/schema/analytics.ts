// Daily analytics rollups (migration 0037): per UTC day and grain, the contract and escrow counts the analytics
// queries sum; `analytics_dirty` lists the days whose rollup is stale (marked by triggers on every write).
// The migration declares both tables WITHOUT ROWID (rows clustered by key) and creates the triggers; drizzle
// expresses neither.
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const ANALYTICS_GRAINS = [
  "all",
  "owner",
  "team",
  "type",
  "full",
  "currency",
  "owner_month",
  "team_month",
  "type_month",
] as const;

export const analyticsDaily = sqliteTable(
  "analytics_daily",
  {
    /**
     * Which dimensions a row keeps: `all` none, `owner`/`team`/`type` one, `full` owner + team + type (what a
     * user's or team's scope filters on), `currency` escrows funded. Unused dimensions hold ''. The `…_month`
     * grains hold a calendar month (`day` = YYYY-MM) of their daily grain's creation counts (usage over long
     * windows: a year of 2,000 owners is 24,000 monthly rows instead of 730,000 daily ones).
     */
    grain: text("grain", { enum: ANALYTICS_GRAINS }).notNull(),
    /** UTC day, YYYY-MM-DD (YYYY-MM for the monthly grains) */
    day: text("day").notNull(),
    ownerId: text("owner_id").notNull().default(""),
    /** '' = no team */
    teamId: text("team_id").notNull().default(""),
    type: text("type").notNull().default(""),
    currency: text("currency").notNull().default(""),
    /** Contracts created that day; of them, sent by now and executed by now. */
    created: integer("created").notNull().default(0),
    createdSent: integer("created_sent").notNull().default(0),
    createdExecuted: integer("created_executed").notNull().default(0),
    /** Contracts sent that day; of them, executed by now. */
    sent: integer("sent").notNull().default(0),
    sentExecuted: integer("sent_executed").notNull().default(0),
    /** Contracts executed (activated) that day, and the sum of their milliseconds from sending to execution. */
    executed: integer("executed").notNull().default(0),
    executeMs: integer("execute_ms").notNull().default(0),
    /** Escrows funded that day, and their amount in minor units of `currency`. */
    funded: integer("funded").notNull().default(0),
    fundedAmount: integer("funded_amount").notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.grain, t.day, t.ownerId, t.teamId, t.type, t.currency] }),
    // A user's scope: their own rows, their teams' rows; covering (the metrics ride along, no lookups).
    index("analytics_daily_owner_idx")
      .on(
        t.ownerId,
        t.day,
        t.created,
        t.createdSent,
        t.createdExecuted,
        t.sent,
        t.sentExecuted,
        t.executed,
        t.executeMs,
      )
      .where(sql`grain = 'full'`),
    index("analytics_daily_team_idx")
      .on(t.teamId, t.day, t.created, t.createdSent, t.createdExecuted, t.sent, t.sentExecuted, t.executed, t.executeMs)
      .where(sql`grain = 'full'`),
  ],
);

/** UTC days (YYYY-MM-DD) written since their rollup was computed: read live until the cron recomputes them. */
export const analyticsDirty = sqliteTable("analytics_dirty", { day: text("day").primaryKey() });
