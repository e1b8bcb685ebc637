-- A completed run says how much of its planned load ran (run.completed coverage, degraded; its
-- reason goes in the reason column). Nullable, no default: a run completed before this is "not
-- known", never "whole". Only the catalog changes: no table rewrite.
ALTER TABLE "runs" ADD COLUMN "coverage" double precision;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "degraded" boolean;