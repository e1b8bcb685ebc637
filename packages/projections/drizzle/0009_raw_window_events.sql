-- A raw window is stored as the metrics.window event it came in, its message's bytes as they
-- are (the projector no longer serialises each window's requests again: ~8% of its CPU in an
-- ingest). Rows stored before keep their requests; readers take either. Both statements change
-- only the catalog: no table rewrite.
ALTER TABLE "metric_windows" ALTER COLUMN "requests" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "metric_windows" ADD COLUMN "event" json;--> statement-breakpoint
-- lz4, as for requests in 0007.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY (enumvals)) THEN
    ALTER TABLE "metric_windows" ALTER COLUMN "event" SET COMPRESSION lz4;
  END IF;
END $$;
