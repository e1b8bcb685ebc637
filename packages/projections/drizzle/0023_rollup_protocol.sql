-- HTTP/2 (issue 23): the protocol a request name's responses came over (the windows' `protocol`),
-- merged into its rollups for the endpoint rows. Null in rows from before it, and where no window said.
ALTER TABLE "metric_rollups" ADD COLUMN "protocol" text;