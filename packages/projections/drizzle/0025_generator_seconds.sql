CREATE TABLE "generator_seconds" (
	"tenant_id" text NOT NULL,
	"run_id" text NOT NULL,
	"second" bigint NOT NULL,
	"worker_id" text NOT NULL,
	"saturated" boolean NOT NULL,
	"health" jsonb NOT NULL,
	CONSTRAINT "generator_seconds_tenant_id_run_id_second_worker_id_pk" PRIMARY KEY("tenant_id","run_id","second","worker_id")
);
