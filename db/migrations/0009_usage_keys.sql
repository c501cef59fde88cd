CREATE TABLE "usage_keys" (
	"org_id" text NOT NULL,
	"owner_id" text NOT NULL,
	"environment_id" text NOT NULL,
	"resource_id" text NOT NULL,
	"product" text NOT NULL,
	CONSTRAINT "usage_keys_org_id_owner_id_environment_id_resource_id_product_pk" PRIMARY KEY("org_id","owner_id","environment_id","resource_id","product")
);
--> statement-breakpoint
INSERT INTO "usage_keys" ("org_id", "owner_id", "environment_id", "resource_id", "product")
SELECT DISTINCT org_id, owner_id, environment_id, resource_id, product FROM owner_bucket_costs WHERE NOT is_unallocated;
