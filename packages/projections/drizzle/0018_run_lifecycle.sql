-- The run lifecycle (issue 20): queued runs (since, until, why), who cancelled a run, pauses and live control.
ALTER TABLE "runs" ADD COLUMN "queued_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "queue_expires_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "queue_reason" text;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "cancelled_by" text;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "paused_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "controls" jsonb DEFAULT '[]'::jsonb NOT NULL;
