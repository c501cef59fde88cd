CREATE TABLE "gl_accounts" (
	"scope" text NOT NULL,
	"key" text NOT NULL,
	"org_id" text DEFAULT '' NOT NULL,
	"account" text NOT NULL,
	"updated_by" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "gl_accounts_scope_key_org_id_pk" PRIMARY KEY("scope","key","org_id"),
	CONSTRAINT "gl_accounts_scope_check" CHECK ("gl_accounts"."scope" in ('cost_center', 'org_default', 'clearing', 'suspense'))
);
--> statement-breakpoint
CREATE TABLE "close_snapshots" (
	"org_id" text NOT NULL,
	"month" text NOT NULL,
	"kind" text NOT NULL,
	"rows" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "close_snapshots_org_id_month_kind_pk" PRIMARY KEY("org_id","month","kind"),
	CONSTRAINT "close_snapshots_kind_check" CHECK ("close_snapshots"."kind" in ('focus', 'journal'))
);
