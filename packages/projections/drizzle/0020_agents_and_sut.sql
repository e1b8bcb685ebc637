-- Control agents and the system under test (SUT): each agent as LL_AGENT tells it (its
-- registration, labels, latest telemetry), every action asked of one (LL_EVENTS agent.action-*),
-- the SUT selector of runs that name one, and the SUT agents' telemetry per second of each run,
-- kept with the run (LL_AGENT itself keeps a day).
CREATE TABLE "agents" (
	"tenant_id" text NOT NULL,
	"agent_id" text NOT NULL,
	"host" text,
	"version" text,
	"labels" jsonb NOT NULL,
	"actions" jsonb,
	"sources" jsonb,
	"registered_at" timestamp with time zone,
	"last_seen_at" timestamp with time zone NOT NULL,
	"last_telemetry" jsonb,
	CONSTRAINT "agents_tenant_id_agent_id_pk" PRIMARY KEY("tenant_id","agent_id")
);
--> statement-breakpoint
CREATE TABLE "agent_actions" (
	"tenant_id" text NOT NULL,
	"agent_id" text NOT NULL,
	"action_id" text PRIMARY KEY NOT NULL,
	"action" text NOT NULL,
	"params" jsonb NOT NULL,
	"requested_by" text NOT NULL,
	"run_id" text,
	"status" text NOT NULL,
	"requested_at" timestamp with time zone NOT NULL,
	"started_at" timestamp with time zone,
	"ended_at" timestamp with time zone,
	"exit_code" integer,
	"output" text,
	"truncated" boolean,
	"reason" text,
	"duration_ms" double precision
);
--> statement-breakpoint
CREATE TABLE "run_suts" (
	"tenant_id" text NOT NULL,
	"run_id" text NOT NULL,
	"labels" jsonb NOT NULL,
	CONSTRAINT "run_suts_tenant_id_run_id_pk" PRIMARY KEY("tenant_id","run_id")
);
--> statement-breakpoint
CREATE TABLE "run_sut_seconds" (
	"tenant_id" text NOT NULL,
	"run_id" text NOT NULL,
	"agent_id" text NOT NULL,
	"second" integer NOT NULL,
	"values" jsonb NOT NULL,
	CONSTRAINT "run_sut_seconds_run_id_agent_id_second_pk" PRIMARY KEY("run_id","agent_id","second")
);
--> statement-breakpoint
CREATE INDEX "agent_actions_agent_idx" ON "agent_actions" USING btree ("tenant_id","agent_id","requested_at");--> statement-breakpoint
CREATE INDEX "agent_actions_run_idx" ON "agent_actions" USING btree ("tenant_id","run_id","requested_at");
