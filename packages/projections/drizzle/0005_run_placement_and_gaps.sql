ALTER TABLE "runs" ADD COLUMN "placement" jsonb;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "lane_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "gaps" jsonb DEFAULT '[]'::jsonb NOT NULL;