-- Listings are now projected from their ListingRoom (the single writer); the revision guards the upsert so an
-- older projection never overwrites a newer one.
ALTER TABLE `listings` ADD `revision` integer DEFAULT 0 NOT NULL;
