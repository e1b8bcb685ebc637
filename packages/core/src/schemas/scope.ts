import { z } from "zod";

/**
 * An environment label (seed 001's `envId`): tests and runs carry it and the lists filter by it.
 * The tenant is the credential's; the environment is only a label within it, so it scopes no access.
 */
export const envIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/, "envId is 1-128 letters, digits, _ . : - (starting with a letter or digit)");

/** Any JSON value; named, so the event catalog shows it once as `JsonValue`. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export const jsonValueSchema: z.ZodType<JsonValue> = z
  .lazy(() => z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(jsonValueSchema), z.record(z.string(), jsonValueSchema)]))
  .meta({ id: "JsonValue", description: "any JSON value" });

/** Free JSON a client keeps with a test or a run (seed 001's `metadata`); bounded, as it rides in events. */
const utf8 = new TextEncoder();
export const METADATA_MAX_KEYS = 64;
export const METADATA_MAX_BYTES = 16_384;
export const metadataSchema = z
  .record(z.string().min(1).max(128), jsonValueSchema)
  .refine((m) => Object.keys(m).length <= METADATA_MAX_KEYS, { message: `metadata holds at most ${METADATA_MAX_KEYS} keys` })
  .refine((m) => utf8.encode(JSON.stringify(m)).length <= METADATA_MAX_BYTES, {
    message: `metadata is at most ${METADATA_MAX_BYTES} bytes of JSON`,
  });
export type Metadata = z.infer<typeof metadataSchema>;

/** A run's own name (seed 001's): the test's name says what runs, this says which run it was. */
export const runNameSchema = z.string().trim().min(1).max(200);

/** Labels are `key=value` pairs a worker or an agent registers with (region, pool, service...). */
export const labelsSchema = z.record(
  // biome-ignore lint/complexity/noUselessEscapeInRegex: the escaped slash is in the published JSON schema (docs/events.md)
  z.string().regex(/^[A-Za-z0-9_.\/-]{1,63}$/, "label names are letters, digits, _ . / -"),
  z.string().max(256),
);
