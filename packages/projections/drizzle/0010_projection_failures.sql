-- A projection whose batches fail says so where every process can read it (GET /v1/projections,
-- `loadline projections status`): the error it is retrying, and since when. Both change only the
-- catalog: no table rewrite.
ALTER TABLE "projection_checkpoints" ADD COLUMN "last_error" text;--> statement-breakpoint
ALTER TABLE "projection_checkpoints" ADD COLUMN "failing_since" timestamp with time zone;
