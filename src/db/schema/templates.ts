// Contract templates (records without a state machine, so D1 is their home): the current row plus every version.
// Starter templates have no owner and are visible to everyone.
import { sqliteTable, text, integer, index, primaryKey } from "drizzle-orm/sqlite-core";

export interface TemplateVariable {
  name: string;
  label?: string;
  required?: boolean;
  default?: string;
}

export const templates = sqliteTable(
  "templates",
  {
    id: text("id").primaryKey(),
    /** Null for the shipped starter templates. */
    ownerId: text("owner_id"),
    teamId: text("team_id"),
    name: text("name").notNull(),
    description: text("description"),
    category: text("category"),
    /** The contract `type` a contract made from it gets. */
    contractType: text("contract_type").notNull(),
    body: text("body").notNull(),
    variables: text("variables", { mode: "json" }).$type<TemplateVariable[]>().notNull(),
    version: integer("version").notNull(),
    starter: integer("starter", { mode: "boolean" }).notNull().default(false),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [
    index("templates_owner_idx").on(t.ownerId, t.createdAt),
    index("templates_team_idx").on(t.teamId, t.createdAt),
  ],
);

export const templateVersions = sqliteTable(
  "template_versions",
  {
    templateId: text("template_id").notNull(),
    version: integer("version").notNull(),
    name: text("name").notNull(),
    description: text("description"),
    category: text("category"),
    contractType: text("contract_type").notNull(),
    body: text("body").notNull(),
    variables: text("variables", { mode: "json" }).$type<TemplateVariable[]>().notNull(),
    authorId: text("author_id"),
    createdAt: text("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.templateId, t.version] })],
);
