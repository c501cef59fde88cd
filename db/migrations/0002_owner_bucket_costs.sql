CREATE TABLE "owner_bucket_costs" (
	"org_id" text NOT NULL,
	"granularity" text NOT NULL,
	"bucket_start" date NOT NULL,
	"owner_id" text NOT NULL,
	"is_unallocated" boolean NOT NULL,
	"cost" numeric NOT NULL,
	CONSTRAINT "owner_bucket_costs_org_id_granularity_bucket_start_owner_id_is_unallocated_pk" PRIMARY KEY("org_id","granularity","bucket_start","owner_id","is_unallocated")
);
--> statement-breakpoint
INSERT INTO "owner_bucket_costs" ("org_id", "granularity", "bucket_start", "owner_id", "is_unallocated", "cost")
SELECT "org_id", "granularity", "bucket_start", "owner_id", "is_unallocated", sum("chargeback_cost")
  FROM "cost_rows" WHERE "active" GROUP BY 1, 2, 3, 4, 5;
