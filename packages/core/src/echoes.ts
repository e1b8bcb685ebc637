import type { EventType } from "./envelope.ts";

/**
 * Stored events echoed on core NATS once stored, for who must act on them at once: a run's
 * workers hear its start, stops and live controls on the run's control subject; an agent hears
 * what is asked of it on its own. The stored event stays the truth; the echo is only faster.
 */
export const RUN_CONTROL_ECHOES = [
  "run.started",
  "run.stopping",
  "run.cancelled",
  "run.failed",
  "run.worker-lost",
  "run.paused",
  "run.resumed",
  "run.scaled",
] as const satisfies readonly EventType[];

export const AGENT_CONTROL_ECHOES = ["agent.action-requested"] as const satisfies readonly EventType[];
