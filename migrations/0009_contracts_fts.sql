-- Full-text search over the contracts and templates projections (FTS5, bm25). Hand-written: drizzle-kit cannot
-- express virtual tables or triggers. Each index row shares its rowid with the projected row, and triggers keep
-- it in step with every projection write (including the upserts of the ContractRoom outbox).
CREATE VIRTUAL TABLE `contracts_fts` USING fts5(title, description, body, tags, tokenize = 'porter unicode61 remove_diacritics 2');
--> statement-breakpoint
CREATE TRIGGER `contracts_fts_ai` AFTER INSERT ON `contracts` BEGIN
  INSERT INTO contracts_fts (rowid, title, description, body, tags)
  VALUES (new.rowid, new.title, coalesce(new.description, ''), new.body, (SELECT coalesce(group_concat(value, ' '), '') FROM json_each(new.tags)));
END;
--> statement-breakpoint
CREATE TRIGGER `contracts_fts_au` AFTER UPDATE OF title, description, body, tags ON `contracts` BEGIN
  DELETE FROM contracts_fts WHERE rowid = old.rowid;
  INSERT INTO contracts_fts (rowid, title, description, body, tags)
  VALUES (new.rowid, new.title, coalesce(new.description, ''), new.body, (SELECT coalesce(group_concat(value, ' '), '') FROM json_each(new.tags)));
END;
--> statement-breakpoint
CREATE TRIGGER `contracts_fts_ad` AFTER DELETE ON `contracts` BEGIN
  DELETE FROM contracts_fts WHERE rowid = old.rowid;
END;
--> statement-breakpoint
INSERT INTO contracts_fts (rowid, title, description, body, tags)
  SELECT rowid, title, coalesce(description, ''), body, (SELECT coalesce(group_concat(value, ' '), '') FROM json_each(contracts.tags)) FROM contracts;
--> statement-breakpoint
CREATE VIRTUAL TABLE `templates_fts` USING fts5(name, description, body, tokenize = 'porter unicode61 remove_diacritics 2');
--> statement-breakpoint
CREATE TRIGGER `templates_fts_ai` AFTER INSERT ON `templates` BEGIN
  INSERT INTO templates_fts (rowid, name, description, body) VALUES (new.rowid, new.name, coalesce(new.description, ''), new.body);
END;
--> statement-breakpoint
CREATE TRIGGER `templates_fts_au` AFTER UPDATE OF name, description, body ON `templates` BEGIN
  DELETE FROM templates_fts WHERE rowid = old.rowid;
  INSERT INTO templates_fts (rowid, name, description, body) VALUES (new.rowid, new.name, coalesce(new.description, ''), new.body);
END;
--> statement-breakpoint
CREATE TRIGGER `templates_fts_ad` AFTER DELETE ON `templates` BEGIN
  DELETE FROM templates_fts WHERE rowid = old.rowid;
END;
--> statement-breakpoint
INSERT INTO templates_fts (rowid, name, description, body) SELECT rowid, name, coalesce(description, ''), body FROM templates;
