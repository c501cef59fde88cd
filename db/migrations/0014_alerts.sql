CREATE TABLE "alert_subscriptions" (
	"id" serial PRIMARY KEY NOT NULL,
	"scope" text NOT NULL,
	"team_id" integer,
	"cost_center" text,
	"channel" text NOT NULL,
	"target" text NOT NULL,
	"format" text,
	"secret" text,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"removed_at" timestamp with time zone,
	"removed_by" text,
	CONSTRAINT "alert_subscriptions_scope_check" CHECK (("alert_subscriptions"."scope" = 'team' and "alert_subscriptions"."team_id" is not null and "alert_subscriptions"."cost_center" is null) or ("alert_subscriptions"."scope" = 'cost_center' and "alert_subscriptions"."cost_center" is not null and "alert_subscriptions"."team_id" is null)),
	CONSTRAINT "alert_subscriptions_channel_check" CHECK (("alert_subscriptions"."channel" = 'email' and "alert_subscriptions"."format" is null and "alert_subscriptions"."secret" is null) or ("alert_subscriptions"."channel" = 'webhook' and (("alert_subscriptions"."format" = 'slack' and "alert_subscriptions"."secret" is null) or ("alert_subscriptions"."format" = 'json' and "alert_subscriptions"."secret" is not null))))
);
--> statement-breakpoint
CREATE TABLE "alert_deliveries" (
	"id" serial PRIMARY KEY NOT NULL,
	"event_key" text NOT NULL,
	"subscription_id" integer NOT NULL,
	"event" jsonb NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone,
	"last_attempt_at" timestamp with time zone,
	"last_error" text,
	"last_status_code" integer,
	"sent_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "alert_deliveries_event_subscription_key" UNIQUE("event_key","subscription_id"),
	CONSTRAINT "alert_deliveries_status_check" CHECK ("alert_deliveries"."status" in ('pending', 'sending', 'sent', 'failed', 'dead'))
);
--> statement-breakpoint
ALTER TABLE "alert_subscriptions" ADD CONSTRAINT "alert_subscriptions_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alert_subscriptions" ADD CONSTRAINT "alert_subscriptions_cost_center_cost_centers_code_fk" FOREIGN KEY ("cost_center") REFERENCES "public"."cost_centers"("code") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alert_deliveries" ADD CONSTRAINT "alert_deliveries_subscription_id_alert_subscriptions_id_fk" FOREIGN KEY ("subscription_id") REFERENCES "public"."alert_subscriptions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "alert_subscriptions_active_key" ON "alert_subscriptions" USING btree ("scope",coalesce("team_id", 0),coalesce("cost_center", ''),"channel","target",coalesce("format", '')) WHERE "alert_subscriptions"."removed_at" is null;--> statement-breakpoint
CREATE INDEX "alert_subscriptions_team_idx" ON "alert_subscriptions" USING btree ("team_id");--> statement-breakpoint
CREATE INDEX "alert_subscriptions_cost_center_idx" ON "alert_subscriptions" USING btree ("cost_center");--> statement-breakpoint
CREATE INDEX "alert_deliveries_due_idx" ON "alert_deliveries" USING btree ("status","next_attempt_at");--> statement-breakpoint
CREATE INDEX "alert_deliveries_subscription_idx" ON "alert_deliveries" USING btree ("subscription_id");