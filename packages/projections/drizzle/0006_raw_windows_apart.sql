CREATE TABLE "metric_window_keys" (
	"tenant_id" text NOT NULL,
	"run_id" text NOT NULL,
	"second" bigint NOT NULL,
	"worker_id" text NOT NULL,
	CONSTRAINT "metric_window_keys_tenant_id_run_id_second_worker_id_pk" PRIMARY KEY("tenant_id","run_id","second","worker_id")
);
--> statement-breakpoint
-- The windows rolled up so far: every raw row stored until now was rolled up with it.
INSERT INTO "metric_window_keys" ("tenant_id", "run_id", "second", "worker_id") SELECT "tenant_id", "run_id", "second", "worker_id" FROM "metric_windows" ON CONFLICT DO NOTHING;
