-- Sign in with Google, Microsoft and LinkedIn (issue 17.1): the identities a provider asserted for a user, the
-- pending authorization flows (state, nonce and PKCE verifier kept server-side, 10 minutes, single use) and the
-- MFA challenges a provider sign-in answers when the account has MFA on (5 minutes, single use).
CREATE TABLE `user_identities` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`provider` text NOT NULL,
	`issuer` text NOT NULL,
	`subject` text NOT NULL,
	`email` text,
	`email_verified` integer DEFAULT false NOT NULL,
	`created_at` text NOT NULL,
	`last_used_at` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `user_identities_subject_uq` ON `user_identities` (`provider`,`issuer`,`subject`);
--> statement-breakpoint
CREATE UNIQUE INDEX `user_identities_user_provider_uq` ON `user_identities` (`user_id`,`provider`);
--> statement-breakpoint
CREATE TABLE `oidc_flows` (
	`id` text PRIMARY KEY NOT NULL,
	`provider` text NOT NULL,
	`code_verifier` text NOT NULL,
	`nonce` text NOT NULL,
	`redirect_uri` text NOT NULL,
	`return_to` text,
	`link_user_id` text,
	`expires_at` text NOT NULL,
	`used_at` text,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `oidc_flows_expiry_idx` ON `oidc_flows` (`expires_at`);
--> statement-breakpoint
CREATE TABLE `login_challenges` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`method` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`expires_at` text NOT NULL,
	`used_at` text,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `login_challenges_user_idx` ON `login_challenges` (`user_id`);
