CREATE TABLE "projection_dead_letters" (
	"projection" text NOT NULL,
	"seq" bigint NOT NULL,
	"subject" text NOT NULL,
	"reason" text NOT NULL,
	"payload" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "projection_dead_letters_projection_seq_pk" PRIMARY KEY("projection","seq")
);
