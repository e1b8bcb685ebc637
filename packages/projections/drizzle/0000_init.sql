CREATE TABLE "load_tests" (
	"tenant_id" text NOT NULL,
	"id" text NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"tags" text[] NOT NULL,
	"target_url" text NOT NULL,
	"requests" jsonb NOT NULL,
	"default_users" integer NOT NULL,
	"default_spawn_rate" double precision NOT NULL,
	"default_duration_sec" integer NOT NULL,
	"max_duration_sec" integer,
	"version" integer NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"created_by" text NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"updated_by" text NOT NULL,
	CONSTRAINT "load_tests_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "metric_windows" (
	"tenant_id" text NOT NULL,
	"run_id" text NOT NULL,
	"worker_id" text NOT NULL,
	"second" bigint NOT NULL,
	"active_users" integer NOT NULL,
	"requests" jsonb NOT NULL,
	CONSTRAINT "metric_windows_tenant_id_run_id_second_worker_id_pk" PRIMARY KEY("tenant_id","run_id","second","worker_id")
);
--> statement-breakpoint
CREATE TABLE "projection_checkpoints" (
	"name" text PRIMARY KEY NOT NULL,
	"position" bigint NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "runs" (
	"tenant_id" text NOT NULL,
	"id" text NOT NULL,
	"load_test_id" text NOT NULL,
	"status" text NOT NULL,
	"target_users" integer NOT NULL,
	"spawn_rate" double precision NOT NULL,
	"duration_sec" integer NOT NULL,
	"workers" jsonb NOT NULL,
	"reason" text,
	"created_at" timestamp with time zone NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"last_metrics" jsonb,
	"version" integer NOT NULL,
	CONSTRAINT "runs_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE INDEX "load_tests_tags_idx" ON "load_tests" USING gin ("tags");--> statement-breakpoint
CREATE INDEX "load_tests_created_idx" ON "load_tests" USING btree ("tenant_id","created_at");--> statement-breakpoint
CREATE INDEX "runs_status_idx" ON "runs" USING btree ("tenant_id","status");--> statement-breakpoint
CREATE INDEX "runs_load_test_idx" ON "runs" USING btree ("tenant_id","load_test_id");--> statement-breakpoint
CREATE INDEX "runs_created_idx" ON "runs" USING btree ("tenant_id","created_at");