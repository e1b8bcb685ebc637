CREATE TABLE "metric_rollups" (
	"tenant_id" text NOT NULL,
	"run_id" text NOT NULL,
	"step" integer NOT NULL,
	"bucket" bigint NOT NULL,
	"method" text NOT NULL,
	"name" text NOT NULL,
	"seconds" integer NOT NULL,
	"requests" bigint NOT NULL,
	"failures" bigint NOT NULL,
	"bytes_in" bigint NOT NULL,
	"bytes_out" bigint NOT NULL,
	"failures_by_kind" jsonb NOT NULL,
	"status_codes" jsonb NOT NULL,
	"histogram" text NOT NULL,
	"service_histogram" text,
	"active_users" integer NOT NULL,
	"iterations" bigint NOT NULL,
	"dropped_iterations" bigint NOT NULL,
	"checks_passed" bigint NOT NULL,
	"checks_failed" bigint NOT NULL,
	CONSTRAINT "metric_rollups_tenant_id_run_id_step_method_name_bucket_pk" PRIMARY KEY("tenant_id","run_id","step","method","name","bucket")
);
--> statement-breakpoint
ALTER TABLE "runs" DROP COLUMN "last_metrics";