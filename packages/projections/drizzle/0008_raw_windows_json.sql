-- A raw window's requests are stored as json (checked text) rather than jsonb: nothing queries
-- inside them, and building the jsonb tree of some 20 KB a window was a third of Postgres's
-- work in an ingest (measured: 145 vs 220-270 ms per 250 windows). Reads parse them the same.
ALTER TABLE "metric_windows" ALTER COLUMN "requests" SET DATA TYPE json;--> statement-breakpoint
-- A new type drops the column's compression; lz4 again, as in 0007.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY (enumvals)) THEN
    ALTER TABLE "metric_windows" ALTER COLUMN "requests" SET COMPRESSION lz4;
  END IF;
END $$;
