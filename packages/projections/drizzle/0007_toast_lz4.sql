-- The big values (a raw window's requests, some 20 KB; a busy bucket's histograms) are compressed
-- with lz4 rather than pglz: Postgres spent ~40% of its time of an ingest compressing them, for
-- about the same size. Only where the server was built with lz4 (PostgreSQL 14 or later).
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY (enumvals)) THEN
    ALTER TABLE "metric_windows" ALTER COLUMN "requests" SET COMPRESSION lz4;
    ALTER TABLE "metric_rollups" ALTER COLUMN "histogram" SET COMPRESSION lz4;
    ALTER TABLE "metric_rollups" ALTER COLUMN "service_histogram" SET COMPRESSION lz4;
  END IF;
END $$;
