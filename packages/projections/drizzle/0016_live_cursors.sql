-- Live feeds (issue 19): each run and rollup row remembers the stream sequence that last changed it,
-- so a client resuming from a cursor gets exactly what changed after it.
ALTER TABLE "metric_rollups" ADD COLUMN "seq" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "seq" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX "metric_rollups_seq_idx" ON "metric_rollups" USING btree ("tenant_id","run_id","step","seq");--> statement-breakpoint
CREATE INDEX "runs_seq_idx" ON "runs" USING btree ("tenant_id","seq");