-- Verdicts (issue 18): a test's thresholds as declared; why a run stopped (requested, duration,
-- threshold), its verdict by its thresholds (pending until judged, none without), and each
-- threshold with the value observed.
ALTER TABLE "load_tests" ADD COLUMN "thresholds" jsonb;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "stop_reason" text;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "verdict" text DEFAULT 'none' NOT NULL;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "thresholds" jsonb DEFAULT '[]'::jsonb NOT NULL;