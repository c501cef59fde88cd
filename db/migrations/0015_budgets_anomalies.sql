CREATE TABLE "budgets" (
	"id" serial PRIMARY KEY NOT NULL,
	"scope" text NOT NULL,
	"name" text NOT NULL,
	"org_id" text,
	"from_month" text NOT NULL,
	"amount" numeric NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "budgets_scope" CHECK ("budgets"."scope" in ('team', 'cost_center')),
	CONSTRAINT "budgets_from_month" CHECK ("budgets"."from_month" ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
	CONSTRAINT "budgets_amount" CHECK ("budgets"."amount" >= 0)
);
--> statement-breakpoint
CREATE TABLE "anomaly_acks" (
	"team" text NOT NULL,
	"day" date NOT NULL,
	"note" text,
	"acked_by" text NOT NULL,
	"acked_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "anomaly_acks_team_day_pk" PRIMARY KEY("team","day")
);
--> statement-breakpoint
CREATE UNIQUE INDEX "budgets_key" ON "budgets" USING btree ("scope","name",coalesce("org_id", ''),"from_month");--> statement-breakpoint
CREATE INDEX "budgets_name_idx" ON "budgets" USING btree ("scope","name");