-- Setup and teardown, and tags (issue 23): a run's setup's and teardown's requests, reported apart from its
-- metrics (run.setup-completed, and the teardown in run.worker-stopped), and the tags of its request names
-- (its steps' `tags`, from run.created): what its endpoint rows show. Empty in rows from before them.
ALTER TABLE "runs" ADD COLUMN "phases" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "request_tags" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
-- WebSocket, SSE and gRPC message counts per request name (the windows' messagesIn/messagesOut), for the endpoint rows.
ALTER TABLE "metric_rollups" ADD COLUMN "messages_in" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "metric_rollups" ADD COLUMN "messages_out" bigint DEFAULT 0 NOT NULL;
