ALTER TABLE "load_tests" ALTER COLUMN "requests" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "load_tests" ADD COLUMN "scenarios" jsonb;--> statement-breakpoint
ALTER TABLE "load_tests" ADD COLUMN "workload" jsonb;--> statement-breakpoint
ALTER TABLE "metric_windows" ADD COLUMN "iterations" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "metric_windows" ADD COLUMN "dropped_iterations" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "metric_windows" ADD COLUMN "checks_passed" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "metric_windows" ADD COLUMN "checks_failed" integer DEFAULT 0 NOT NULL;