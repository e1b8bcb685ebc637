-- Environment and parameters (issue 23): a run's env, the values its test's `${NAME}` placeholders
-- were filled with (run.created env). Null in runs created without one, and in rows projected before.
ALTER TABLE "runs" ADD COLUMN "env" jsonb;
