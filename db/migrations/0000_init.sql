CREATE TABLE "organizations" (
	"org_id" text PRIMARY KEY NOT NULL,
	"display_name" text,
	"policy" text DEFAULT 'proportional' NOT NULL,
	"tolerance" numeric DEFAULT '0.01' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "imports" (
	"id" serial PRIMARY KEY NOT NULL,
	"org_id" text NOT NULL,
	"granularity" text NOT NULL,
	"first_bucket" date NOT NULL,
	"last_bucket" date NOT NULL,
	"file_name" text NOT NULL,
	"sha256" text NOT NULL,
	"row_count" integer NOT NULL,
	"total" numeric NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"superseded_by" integer,
	"replaced_import_ids" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"warnings" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
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
	"active" boolean DEFAULT true NOT NULL
);
--> statement-breakpoint
CREATE TABLE "cost_centers" (
	"code" text PRIMARY KEY NOT NULL,
	"name" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "teams" (
	"id" serial PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"cost_center" text,
	"archived" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "teams_name_unique" UNIQUE("name")
);
--> statement-breakpoint
CREATE TABLE "crosswalk_entries" (
	"id" serial PRIMARY KEY NOT NULL,
	"org_id" text NOT NULL,
	"owner_id" text NOT NULL,
	"team_id" integer NOT NULL,
	"valid_from" date NOT NULL,
	"valid_to" date,
	"note" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "owner_names" (
	"org_id" text NOT NULL,
	"owner_id" text NOT NULL,
	"display_name" text NOT NULL,
	CONSTRAINT "owner_names_org_id_owner_id_pk" PRIMARY KEY("org_id","owner_id")
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"id" serial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor" text NOT NULL,
	"action" text NOT NULL,
	"entity" text NOT NULL,
	"entity_id" text,
	"before" jsonb,
	"after" jsonb
);
--> statement-breakpoint
CREATE TABLE "allocation_results" (
	"org_id" text NOT NULL,
	"granularity" text NOT NULL,
	"bucket_start" date NOT NULL,
	"team" text NOT NULL,
	"direct_cost" numeric NOT NULL,
	"unallocated_share" numeric NOT NULL,
	"total" numeric NOT NULL,
	CONSTRAINT "allocation_results_org_id_granularity_bucket_start_team_pk" PRIMARY KEY("org_id","granularity","bucket_start","team")
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" serial PRIMARY KEY NOT NULL,
	"email" text NOT NULL,
	"password_hash" text,
	"role" text DEFAULT 'viewer' NOT NULL,
	"disabled" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "users_email_unique" UNIQUE("email")
);
--> statement-breakpoint
CREATE TABLE "login_attempts" (
	"id" serial PRIMARY KEY NOT NULL,
	"email" text NOT NULL,
	"success" boolean NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "settings" (
	"key" text PRIMARY KEY NOT NULL,
	"value" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "invoices" (
	"id" serial PRIMARY KEY NOT NULL,
	"org_id" text NOT NULL,
	"month" text NOT NULL,
	"amount" numeric NOT NULL,
	"entered_by" text NOT NULL,
	"entered_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "month_closes" (
	"org_id" text NOT NULL,
	"month" text NOT NULL,
	"status" text NOT NULL,
	"reason" text,
	"frozen" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"closed_by" text NOT NULL,
	"closed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "month_closes_org_id_month_pk" PRIMARY KEY("org_id","month")
);
--> statement-breakpoint
CREATE TABLE "restatements" (
	"id" serial PRIMARY KEY NOT NULL,
	"org_id" text NOT NULL,
	"month" text,
	"import_id" integer,
	"kind" text NOT NULL,
	"deltas" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "imports" ADD CONSTRAINT "imports_org_id_organizations_org_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("org_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "teams" ADD CONSTRAINT "teams_cost_center_cost_centers_code_fk" FOREIGN KEY ("cost_center") REFERENCES "public"."cost_centers"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "crosswalk_entries" ADD CONSTRAINT "crosswalk_entries_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "imports_org_gran_idx" ON "imports" USING btree ("org_id","granularity");--> statement-breakpoint
CREATE INDEX "imports_org_sha_idx" ON "imports" USING btree ("org_id","sha256");--> statement-breakpoint
CREATE INDEX "cost_rows_active_idx" ON "cost_rows" USING btree ("org_id","granularity","bucket_start") WHERE "cost_rows"."active";--> statement-breakpoint
CREATE INDEX "cost_rows_owner_idx" ON "cost_rows" USING btree ("org_id","owner_id") WHERE "cost_rows"."active";--> statement-breakpoint
CREATE INDEX "cost_rows_import_idx" ON "cost_rows" USING btree ("import_id");--> statement-breakpoint
CREATE INDEX "crosswalk_org_owner_idx" ON "crosswalk_entries" USING btree ("org_id","owner_id");--> statement-breakpoint
CREATE INDEX "crosswalk_team_idx" ON "crosswalk_entries" USING btree ("team_id");--> statement-breakpoint
CREATE INDEX "audit_at_idx" ON "audit_log" USING btree ("at");--> statement-breakpoint
CREATE INDEX "audit_entity_idx" ON "audit_log" USING btree ("entity","entity_id");--> statement-breakpoint
CREATE INDEX "login_attempts_email_at_idx" ON "login_attempts" USING btree ("email","at");--> statement-breakpoint
CREATE INDEX "invoices_org_month_idx" ON "invoices" USING btree ("org_id","month");--> statement-breakpoint
CREATE INDEX "restatements_org_month_idx" ON "restatements" USING btree ("org_id","month");