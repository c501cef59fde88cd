ALTER TABLE "organizations" ADD COLUMN "policy_spec" jsonb DEFAULT '{"kind":"proportional"}'::jsonb NOT NULL;--> statement-breakpoint
-- Data conversion (hand-written, docs/allocation.md "How policies are stored"): the text policy becomes
-- its JSON value, teams by id. A `shared:<name>` whose team row is missing keeps allocating to that
-- name as before: the team is created first.
INSERT INTO "teams" ("name") SELECT DISTINCT substr("policy", 8) FROM "organizations" WHERE "policy" LIKE 'shared:%' ON CONFLICT ("name") DO NOTHING;
--> statement-breakpoint
UPDATE "organizations" o SET "policy_spec" = CASE
  WHEN o."policy" LIKE 'shared:%' THEN jsonb_build_object('kind', 'shared', 'teamId', (SELECT t."id" FROM "teams" t WHERE t."name" = substr(o."policy", 8)))
  ELSE jsonb_build_object('kind', o."policy")
END;
--> statement-breakpoint
-- fire the deferred data_version triggers of the UPDATE now: ALTER TABLE refuses pending trigger events
SET CONSTRAINTS ALL IMMEDIATE;
--> statement-breakpoint
ALTER TABLE "organizations" DROP COLUMN "policy";
