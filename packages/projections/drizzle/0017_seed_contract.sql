-- Seed 001's contract (issue 20): a test may leave its defaults out when its workload says how to
-- load; tests and runs carry an environment label (the lists filter by it) and the client's JSON;
-- runs their own name, who started them, and their last event's time and actor. All nullable, no
-- default: only the catalog changes (no table rewrite). Runs projected before this have null
-- created_by/updated_at/updated_by until a rebuild fills them from their events.
ALTER TABLE "load_tests" ALTER COLUMN "default_users" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "load_tests" ALTER COLUMN "default_spawn_rate" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "load_tests" ALTER COLUMN "default_duration_sec" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "load_tests" ADD COLUMN "env_id" text;--> statement-breakpoint
ALTER TABLE "load_tests" ADD COLUMN "metadata" jsonb;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "name" text;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "env_id" text;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "metadata" jsonb;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "created_by" text;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "updated_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "updated_by" text;--> statement-breakpoint
CREATE INDEX "load_tests_env_idx" ON "load_tests" USING btree ("tenant_id","env_id","created_at");--> statement-breakpoint
CREATE INDEX "runs_env_idx" ON "runs" USING btree ("tenant_id","env_id","created_at");
