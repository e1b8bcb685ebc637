-- Schedules (issue 20): each schedule's definition as its last event left it (deleted ones
-- removed) and what it last did: its last fire (when, the instant due, the run), its last skip, a
-- queued instant, why its last fired run could not start. Next fire times are worked out when read.
CREATE TABLE "schedules" (
	"tenant_id" text NOT NULL,
	"id" text NOT NULL,
	"load_test_id" text NOT NULL,
	"cron" text NOT NULL,
	"timezone" text NOT NULL,
	"overrides" jsonb NOT NULL,
	"placement" jsonb,
	"enabled" boolean NOT NULL,
	"missed_fire" text NOT NULL,
	"overlap" text NOT NULL,
	"last_fired_at" timestamp with time zone,
	"last_due_at" timestamp with time zone,
	"last_run_id" text,
	"last_skipped" jsonb,
	"queued_due_at" timestamp with time zone,
	"last_error" text,
	"version" integer NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"created_by" text NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"updated_by" text NOT NULL,
	CONSTRAINT "schedules_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE INDEX "schedules_load_test_idx" ON "schedules" USING btree ("tenant_id","load_test_id");--> statement-breakpoint
CREATE INDEX "schedules_created_idx" ON "schedules" USING btree ("tenant_id","created_at");
