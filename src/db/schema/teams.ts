// Teams: the unit that shares contracts and templates. Members with a team role, and email invitations that
// can reach people without an account yet (accepted by the logged-in user whose verified email matches).
// User ids are plain columns, not foreign keys: erased users keep their pseudonymous row, and a table rebuild of
// `users` (drizzle recreates tables on some alterations; D1 enforces foreign keys) must not cascade into teams.
import { sqliteTable, text, index, primaryKey, uniqueIndex } from "drizzle-orm/sqlite-core";
import { TEAM_ROLES } from "../../domain/team-roles";

export const teams = sqliteTable(
  "teams",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    description: text("description"),
    createdBy: text("created_by").notNull(),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [index("teams_created_by_idx").on(t.createdBy)],
);

export const teamMembers = sqliteTable(
  "team_members",
  {
    teamId: text("team_id")
      .notNull()
      .references(() => teams.id, { onDelete: "cascade" }),
    userId: text("user_id").notNull(),
    role: text("role", { enum: TEAM_ROLES }).notNull(),
    addedBy: text("added_by"),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.teamId, t.userId] }), index("team_members_user_idx").on(t.userId)],
);

export const teamInvitations = sqliteTable(
  "team_invitations",
  {
    id: text("id").primaryKey(),
    teamId: text("team_id")
      .notNull()
      .references(() => teams.id, { onDelete: "cascade" }),
    /** Lower-cased. */
    email: text("email").notNull(),
    role: text("role", { enum: TEAM_ROLES }).notNull(),
    /** SHA-256 of the token mailed to the invitee; the token itself is never stored. */
    tokenHash: text("token_hash").notNull(),
    invitedBy: text("invited_by").notNull(),
    createdAt: text("created_at").notNull(),
    expiresAt: text("expires_at").notNull(),
    acceptedAt: text("accepted_at"),
    acceptedBy: text("accepted_by"),
    revokedAt: text("revoked_at"),
  },
  (t) => [
    uniqueIndex("team_invitations_token_idx").on(t.tokenHash),
    index("team_invitations_team_idx").on(t.teamId, t.email),
    index("team_invitations_email_idx").on(t.email),
  ],
);
