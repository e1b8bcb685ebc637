-- Requests aborted in flight at a stop (after the graceful stop) and iterations cut short, counted
-- apart from every other figure. 0 in the rows from before; a constant default changes only the
-- catalog (PostgreSQL 11+): no table rewrite.
ALTER TABLE "metric_rollups" ADD COLUMN "interrupted" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "metric_rollups" ADD COLUMN "interrupted_iterations" bigint DEFAULT 0 NOT NULL;