-- cost_rows becomes a partitioned table (docs/decisions/0009-partitioned-cost-rows.md):
-- LIST (org_id), one partition per org, each RANGE (import_id) with one leaf per import.
-- Ingest creates each leaf as a plain table, loads it, builds its indexes and attaches it
-- (db/queries/cost-partitions.ts); the rows stored so far move to one leaf per org.
ALTER TABLE "cost_rows" RENAME TO "cost_rows_before_0016";--> statement-breakpoint
ALTER TABLE "cost_rows_before_0016" RENAME CONSTRAINT "cost_rows_unallocated_owner" TO "cost_rows_before_0016_unallocated_owner";--> statement-breakpoint
DROP INDEX "cost_rows_active_idx";--> statement-breakpoint
DROP INDEX "cost_rows_owner_idx";--> statement-breakpoint
DROP INDEX "cost_rows_import_idx";--> statement-breakpoint
CREATE TABLE "cost_rows" (
	"import_id" integer NOT NULL,
	"org_id" text NOT NULL,
	"granularity" text NOT NULL,
	"bucket_start" date NOT NULL,
	"owner_id" text NOT NULL,
	"environment_id" text DEFAULT '' NOT NULL,
	"resource_id" text DEFAULT '' NOT NULL,
	"product" text NOT NULL,
	"metric" text NOT NULL,
	"unit" text NOT NULL,
	"chargeback_cost" numeric NOT NULL,
	"original_amount" numeric NOT NULL,
	"usage_share" numeric NOT NULL,
	"is_unallocated" boolean NOT NULL,
	"line" integer NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	CONSTRAINT "cost_rows_unallocated_owner" CHECK ("is_unallocated" = ("owner_id" = 'unallocated'))
) PARTITION BY LIST ("org_id");--> statement-breakpoint
DO $$
DECLARE
  hi integer;
  o record;
  part text;
  leaf text;
BEGIN
  SELECT greatest(coalesce((SELECT max(id) FROM imports), 0), coalesce((SELECT max(import_id) FROM cost_rows_before_0016), 0)) + 1 INTO hi;
  FOR o IN SELECT DISTINCT org_id FROM cost_rows_before_0016 LOOP
    part := 'cost_rows_o_' || left(md5(o.org_id), 16);
    leaf := part || '_upto_' || hi;
    EXECUTE format('CREATE TABLE %I PARTITION OF cost_rows FOR VALUES IN (%L) PARTITION BY RANGE (import_id)', part, o.org_id);
    EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (MINVALUE) TO (%s)', leaf, part, hi);
    EXECUTE format('INSERT INTO %I SELECT * FROM cost_rows_before_0016 WHERE org_id = %L', leaf, o.org_id);
    EXECUTE format('CREATE INDEX %I ON %I (granularity, bucket_start) WHERE active', leaf || '_bucket_idx', leaf);
    EXECUTE format('CREATE INDEX %I ON %I (owner_id) WHERE active', leaf || '_owner_idx', leaf);
    EXECUTE format('CREATE INDEX %I ON %I (import_id)', leaf || '_import_idx', leaf);
  END LOOP;
END $$;--> statement-breakpoint
DROP TABLE "cost_rows_before_0016";--> statement-breakpoint
ALTER TABLE "owner_bucket_costs" DROP CONSTRAINT "owner_bucket_costs_org_id_granularity_bucket_start_owner_id_environment_id_resource_id_product_is_unallocated_pk";--> statement-breakpoint
CREATE INDEX "owner_bucket_costs_bucket_idx" ON "owner_bucket_costs" USING btree ("org_id","granularity","bucket_start");
