CREATE TABLE "allocation_details" (
	"org_id" text NOT NULL,
	"granularity" text NOT NULL,
	"month" date NOT NULL,
	"team" text NOT NULL,
	"owner_id" text NOT NULL,
	"product" text NOT NULL,
	"metric" text NOT NULL,
	"unit" text NOT NULL,
	"environment_id" text NOT NULL,
	"resource_id" text NOT NULL,
	"direct" numeric NOT NULL
);
--> statement-breakpoint
CREATE INDEX "allocation_details_team_idx" ON "allocation_details" USING btree ("team","month");--> statement-breakpoint
CREATE INDEX "allocation_details_org_idx" ON "allocation_details" USING btree ("org_id","granularity","month");