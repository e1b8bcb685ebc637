import { z } from "zod";
import type { Executor } from "./executors.ts";

/**
 * The Locust engine's side of a test (docs/locust.md): `engine: "locust"` with a `locustfile`
 * (Python source) that Locust itself runs on the workers, every request it makes recorded into
 * Loadline's windows. Such a test says its load only as VUs over time: its defaults, or a
 * constant-vus or ramping-vus workload (Locust users and a spawn rate). Pure.
 */

export const LOAD_ENGINES = ["locust"] as const;
export type LoadEngineName = (typeof LOAD_ENGINES)[number];

/** The largest locustfile taken: its source travels in the test's events and in every run's. */
export const LOCUSTFILE_MAX_BYTES = 256 * 1024;

const utf8Bytes = (s: string): number => new TextEncoder().encode(s).length;

export const engineSchema = z.enum(LOAD_ENGINES).describe('how the test runs: "locust" runs its locustfile with Locust (docs/locust.md)');

export const locustfileSchema = z
  .string()
  .min(1)
  .max(LOCUSTFILE_MAX_BYTES, { abort: true })
  .refine((s) => utf8Bytes(s) <= LOCUSTFILE_MAX_BYTES, { message: `a locustfile may hold at most ${LOCUSTFILE_MAX_BYTES} bytes` })
  .refine((s) => !s.includes("\u0000"), { message: "a locustfile must not contain NUL characters" })
  .describe("Locust test source (Python), run by Locust on the workers when engine is locust");

/** The executors Locust can run: users held over time, ramped at a spawn rate. */
export const LOCUST_EXECUTORS = ["constant-vus", "ramping-vus"] as const;

/** Why a workload cannot run under Locust, or null. */
export function locustWorkloadRefusal(e: Executor): string | null {
  return (LOCUST_EXECUTORS as readonly string[]).includes(e.type)
    ? null
    : `a locust test runs Locust users over time: its workload must be ${LOCUST_EXECUTORS.join(" or ")}, not ${e.type}`;
}

/** The fields of the native forms, that a locust test has none of: its locustfile says what to request. */
const NATIVE_FIELDS = ["requests", "scenarios", "http", "setup", "teardown"] as const;

type LocustFields = { engine?: LoadEngineName | undefined; locustfile?: string | undefined; workload?: Executor | undefined };

/** What is wrong with a spec's engine fields (a locust test with a native form, or the reverse), each naming its field. */
export function locustSpecIssues(spec: LocustFields & Record<string, unknown>): { path: string[]; message: string }[] {
  if (spec.engine !== "locust")
    return spec.locustfile === undefined ? [] : [{ path: ["locustfile"], message: 'a locustfile needs engine: "locust"' }];
  const issues: { path: string[]; message: string }[] = [];
  if (spec.locustfile === undefined) issues.push({ path: ["locustfile"], message: 'engine "locust" needs a locustfile' });
  for (const field of NATIVE_FIELDS)
    if (spec[field] !== undefined)
      issues.push({ path: [field], message: `a locust test has no ${field}: its locustfile says what to request (docs/locust.md)` });
  const refusal = spec.workload ? locustWorkloadRefusal(spec.workload) : null;
  if (refusal) issues.push({ path: ["workload"], message: refusal });
  return issues;
}
