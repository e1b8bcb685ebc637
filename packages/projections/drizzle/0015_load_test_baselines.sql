-- Baselines (issue 18): the completed run of a test that comparisons and baseline-relative
-- thresholds are against (load-test.baseline-set); null until one is set.
ALTER TABLE "load_tests" ADD COLUMN "baseline_run_id" text;