CREATE TABLE "crosswalk_rules" (
	"id" serial PRIMARY KEY NOT NULL,
	"position" integer NOT NULL,
	"org_id" text,
	"name" text NOT NULL,
	"when" json NOT NULL,
	"then" json NOT NULL,
	"valid_from" date NOT NULL,
	"valid_to" date,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "mapping_segments" (
	"org_id" text NOT NULL,
	"owner_id" text NOT NULL,
	"environment_id" text NOT NULL,
	"resource_id" text NOT NULL,
	"product" text NOT NULL,
	"valid_from" date NOT NULL,
	"valid_to" date,
	"team" text NOT NULL,
	"pct" numeric NOT NULL,
	"parts" integer NOT NULL,
	"mapped_by" text NOT NULL
);
--> statement-breakpoint
DELETE FROM "owner_bucket_costs";--> statement-breakpoint
ALTER TABLE "owner_bucket_costs" DROP CONSTRAINT "owner_bucket_costs_org_id_granularity_bucket_start_owner_id_is_unallocated_pk";--> statement-breakpoint
ALTER TABLE "crosswalk_entries" ALTER COLUMN "team_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "crosswalk_entries" ADD COLUMN "split" json;--> statement-breakpoint
ALTER TABLE "allocation_details" ADD COLUMN "mapped_by" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "owner_bucket_costs" ADD COLUMN "environment_id" text NOT NULL;--> statement-breakpoint
ALTER TABLE "owner_bucket_costs" ADD COLUMN "resource_id" text NOT NULL;--> statement-breakpoint
ALTER TABLE "owner_bucket_costs" ADD COLUMN "product" text NOT NULL;--> statement-breakpoint
ALTER TABLE "owner_bucket_costs" ADD CONSTRAINT "owner_bucket_costs_org_id_granularity_bucket_start_owner_id_environment_id_resource_id_product_is_unallocated_pk" PRIMARY KEY("org_id","granularity","bucket_start","owner_id","environment_id","resource_id","product","is_unallocated");--> statement-breakpoint
INSERT INTO "owner_bucket_costs" ("org_id", "granularity", "bucket_start", "owner_id", "environment_id", "resource_id", "product", "is_unallocated", "cost")
SELECT "org_id", "granularity", "bucket_start", "owner_id", "environment_id", "resource_id", "product", "is_unallocated", sum("chargeback_cost")
  FROM "cost_rows" WHERE "active" GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;--> statement-breakpoint
CREATE UNIQUE INDEX "crosswalk_rules_name_idx" ON "crosswalk_rules" USING btree ("name");--> statement-breakpoint
CREATE INDEX "mapping_segments_key_idx" ON "mapping_segments" USING btree ("org_id","owner_id","environment_id","resource_id","product");--> statement-breakpoint
ALTER TABLE "crosswalk_entries" ADD CONSTRAINT "crosswalk_team_or_split" CHECK (("crosswalk_entries"."team_id" is null) <> ("crosswalk_entries"."split" is null));--> statement-breakpoint
-- No rules exist yet: the resolved crosswalk is each entry's period for every usage key of its owner
INSERT INTO "mapping_segments" ("org_id", "owner_id", "environment_id", "resource_id", "product", "valid_from", "valid_to", "team", "pct", "parts", "mapped_by")
SELECT k.org_id, k.owner_id, k.environment_id, k.resource_id, k.product, e.valid_from, e.valid_to, t.name, 100, 1, 'entry #' || e.id
  FROM (SELECT DISTINCT org_id, owner_id, environment_id, resource_id, product FROM owner_bucket_costs WHERE NOT is_unallocated) k
  JOIN crosswalk_entries e ON e.org_id = k.org_id AND e.owner_id = k.owner_id
  JOIN teams t ON t.id = e.team_id;--> statement-breakpoint
UPDATE "allocation_details" d SET "mapped_by" = 'entry #' || e.id
  FROM crosswalk_entries e
 WHERE d.team NOT IN ('unmapped', 'unallocated', '') AND e.org_id = d.org_id AND e.owner_id = d.owner_id
   AND e.valid_from <= d.month AND (e.valid_to IS NULL OR d.month < e.valid_to);
--> statement-breakpoint
-- a rule change is a crosswalk change: the dashboards' read cache (decision 0005) must see it
CREATE CONSTRAINT TRIGGER "crosswalk_rules_bumps_data_version" AFTER INSERT OR UPDATE OR DELETE ON "crosswalk_rules" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "bump_data_version"();
