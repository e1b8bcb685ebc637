import { v5, v7 } from "uuid";

/** The name space of the UUIDv5 hashes below: fixed, so every orchestrator derives the same ids. */
const NAMESPACE = "4b0f6d52-3f6b-4c57-9a43-0c2f7a9e5d11";

/**
 * A UUIDv7 made of an instant and a name alone: its time is the instant (so it sorts as the
 * ids of other runs do), its other bits the SHA-1 of the name. The same inputs give the same id.
 */
function derivedId(name: string, at: string): string {
  const random = v5(name, NAMESPACE, new Uint8Array(16));
  return v7({ msecs: Date.parse(at), random });
}

const canonical = (dueAt: string): string => new Date(dueAt).toISOString();

/**
 * The run a schedule fires at a due instant. Derived, never drawn: an orchestrator that takes
 * over and fires the same due again names the same run, which the run's own aggregate then
 * refuses to create twice.
 */
export const scheduledRunId = (scheduleId: string, dueAt: string): string =>
  derivedId(`${scheduleId}@${canonical(dueAt)}`, canonical(dueAt));

/** The id of the `run.start` that starts that run: sent again, it is recognised by causation and answered as done. */
export const scheduledStartId = (scheduleId: string, dueAt: string): string =>
  derivedId(`${scheduleId}@${canonical(dueAt)}#run.start`, canonical(dueAt));
